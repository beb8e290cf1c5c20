// The sign-in answer tells the app the deployment's time zone (GRIDCARE_TZ), on both databases:
// the app shows every date and time in it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app';
import { LoginThrottle } from '../../server/auth/throttle';
import { loadConfig } from '../../server/config';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';
import { PASSWORD, seedFixture } from './fixtures';

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`sign-in time zone (${dialect})`, () => {
		let db: TestStore;

		beforeAll(async () => {
			db = await openTestStore(dialect);
			await seedFixture(db.store);
		});
		afterAll(async () => db.dispose());

		const signIn = (env: NodeJS.ProcessEnv) =>
			createApp({
				store: db.store,
				config: { ...loadConfig(env), appDir: 'build' },
				throttle: new LoginThrottle({ addressDelayStepMs: 0 }),
				version: 'test',
				now: () => new Date('2026-12-05T17:30:00Z')
			}).request('/api/v1/auth/login', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ username: 'worker_a1', password: PASSWORD, deviceId: 'dev-tz' })
			});

		it('answers with the configured zone', async () => {
			const res = await signIn({ GRIDCARE_TZ: 'Asia/Urumqi' });
			expect(res.status).toBe(200);
			expect(((await res.json()) as { timeZone: string }).timeZone).toBe('Asia/Urumqi');
		});

		it('answers with the default zone when none is configured', async () => {
			const res = await signIn({});
			expect(((await res.json()) as { timeZone: string }).timeZone).toBe('Asia/Shanghai');
		});
	});
}

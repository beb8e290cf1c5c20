// Masked by default, unmasked one field at a time for a stated reason, erased on request, and
// never written to the logs. Both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app';
import { LoginThrottle } from '../../server/auth/throttle';
import { loadConfig } from '../../server/config';
import { ApiClient, foldChanges } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { addPerson, SHARED_ID, type Person } from './privacy-fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const PHONE = '13877112233';
const NAME = '覃秀兰';

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`personal data (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let worker: ApiClient;
		let head: ApiClient;
		let person: Person;
		const log: string[] = [];
		let testAppWithLog: () => ReturnType<typeof createApp>;

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			testAppWithLog = () =>
				createApp({
					store: db.store,
					config: { ...loadConfig({}), appDir: 'build' },
					throttle: new LoginThrottle(),
					version: 'test',
					now: () => new Date(),
					log: (line) => log.push(line)
				});
			const app = testAppWithLog();
			worker = await new ApiClient(app).login('worker_a1');
			head = await new ApiClient(app).login('head_a');
			person = await addPerson(worker, fx.grids.a1, {
				name: NAME,
				idNumber: SHARED_ID,
				phone: PHONE
			});
		});
		afterAll(async () => db.dispose());

		const unmask = (client: ApiClient, field: string, reason = 'home_visit_check') =>
			client.request(`/residents/${person.resident}/unmask`, {
				method: 'POST',
				body: JSON.stringify({ field, reason })
			});

		it('pulls the ID number masked: first 6 and last 4 at most', async () => {
			const rows = foldChanges((await worker.pullAll()).changes);
			const row = rows.get(person.resident)!;
			expect(row.idNumberMasked).toBe(`${SHARED_ID.slice(0, 6)}********${SHARED_ID.slice(-4)}`);
			expect(JSON.stringify([...rows.values()])).not.toContain(SHARED_ID);
		});

		it('unmasks one field for a reason and writes who, why, whose and from where to the audit trail', async () => {
			const res = await unmask(worker, 'idNumber', 'home_visit_check');
			expect(res.status).toBe(200);
			expect(res.headers.get('cache-control')).toBe('no-store');
			expect(await res.json()).toEqual({ value: SHARED_ID });
			const phone = await unmask(head, 'phone', 'emergency_aid');
			expect(await phone.json()).toEqual({ value: PHONE });
			const entries = await db.store.auditEntries({ communityCode: '450102001003', limit: 10 });
			const unmasks = entries.filter((e) => e.action === 'unmask');
			expect(unmasks).toHaveLength(2);
			expect(
				unmasks.map((e) => [e.userId, e.role, e.reason, e.details, e.deviceId]).reverse()
			).toEqual([
				[
					fx.users.worker_a1.id,
					'grid_worker',
					'home_visit_check',
					{ field: 'idNumber' },
					worker.deviceId
				],
				[fx.users.head_a.id, 'community_head', 'emergency_aid', { field: 'phone' }, head.deviceId]
			]);
			expect(unmasks.every((e) => e.subjectId === person.resident)).toBe(true);
			expect(JSON.stringify(entries)).not.toContain(SHARED_ID);
			expect(JSON.stringify(entries)).not.toContain(PHONE);
		});

		it('keeps phones masked in the field history', async () => {
			const row = (await db.store.getResident(person.resident))!;
			const [result] = await worker.push([
				{
					id: crypto.randomUUID(),
					table: 'residents',
					op: 'update',
					rowId: person.resident,
					baseVersion: row.version,
					fields: { phone: '13977001122' }
				}
			]);
			expect(result.status).toBe('applied');
			const res = await head.request(`/history/residents/${person.resident}`);
			const text = await res.text();
			expect(text).toContain('139****1122');
			expect(text).not.toContain('13977001122');
			// Back to the phone the other cases expect.
			await worker.push([
				{
					id: crypto.randomUUID(),
					table: 'residents',
					op: 'update',
					rowId: person.resident,
					baseVersion: result.version,
					fields: { phone: PHONE }
				}
			]);
		});

		it('refuses an unmask without a listed reason, naming the field, and audits nothing', async () => {
			const before = (await db.store.auditEntries({ limit: 100 })).length;
			const res = await unmask(worker, 'idNumber', 'curious');
			expect(res.status).toBe(400);
			expect(await res.json()).toMatchObject({ error: 'invalid_input', field: 'reason' });
			const noField = await unmask(worker, 'birthYear');
			expect(((await noField.json()) as { field: string }).field).toBe('field');
			expect((await db.store.auditEntries({ limit: 100 })).length).toBe(before);
		});

		it('answers 404 for a field with no value', async () => {
			const bare = await addPerson(worker, fx.grids.a1, { name: '陆小红' });
			const res = await worker.request(`/residents/${bare.resident}/unmask`, {
				method: 'POST',
				body: JSON.stringify({ field: 'phone', reason: 'contact_resident' })
			});
			expect(res.status).toBe(404);
		});

		it('exports a grid masked, and audits the export', async () => {
			const res = await head.request(`/residents/export?gridId=${fx.grids.a1}`);
			expect(res.status).toBe(200);
			const csv = await res.text();
			expect(csv).toContain('覃*兰');
			expect(csv).toContain('138****2233');
			expect(csv).not.toContain(SHARED_ID);
			expect(csv).not.toContain(PHONE);
			const [entry] = await db.store.auditEntries({ communityCode: '450102001003', limit: 1 });
			expect(entry).toMatchObject({
				action: 'export',
				subjectType: 'grid',
				subjectId: fx.grids.a1
			});
			expect(entry.details).toMatchObject({ rows: 2, format: 'csv' });
		});

		it('logs requests as JSON lines by route pattern, with no ID number, phone or name', async () => {
			const lines = log.map((l) => JSON.parse(l) as Record<string, unknown>);
			const unmaskLine = lines.find((l) => l.route === '/api/v1/residents/:id/unmask');
			expect(unmaskLine).toMatchObject({
				level: 'info',
				msg: 'request',
				method: 'POST',
				status: 200,
				userId: fx.users.worker_a1.id
			});
			expect(typeof unmaskLine!.ms).toBe('number');
			expect(lines.some((l) => l.route === '/api/v1/sync/push' && l.status === 200)).toBe(true);
			const text = log.join('\n');
			for (const secret of [SHARED_ID, SHARED_ID.slice(6, 14), PHONE, NAME, person.resident])
				expect(text).not.toContain(secret);
		});

		it('takes offline unmask records as insert-only `audit` mutations, scope-checked', async () => {
			const entry = (fields: Record<string, unknown>, op = 'insert') => ({
				id: crypto.randomUUID(),
				table: 'audit',
				op,
				rowId: crypto.randomUUID(),
				fields
			});
			const shown = {
				residentId: person.resident,
				field: 'phone',
				reason: 'contact_resident',
				at: '2026-11-24T10:15:00+08:00'
			};
			const batch = [entry(shown)];
			expect((await worker.push(batch)).map((r) => r.status)).toEqual(['applied']);
			expect((await worker.push(batch)).map((r) => r.status)).toEqual(['duplicate']);
			const [recorded] = await db.store.auditEntries({ communityCode: '450102001003', limit: 1 });
			expect(recorded).toMatchObject({
				action: 'unmask',
				userId: fx.users.worker_a1.id,
				subjectId: person.resident,
				reason: 'contact_resident',
				deviceId: worker.deviceId,
				details: { field: 'phone', offline: true, shownAt: shown.at }
			});
			const rejected = await worker.push([
				entry({ ...shown, reason: 'bored' }),
				entry({ ...shown, extra: 1 }),
				entry(shown, 'update')
			]);
			expect(rejected.map((r) => r.reason)).toEqual([
				expect.stringMatching(/^fields\.reason: /),
				expect.stringMatching(/^fields\.extra: /),
				'op: audit entries can only be inserted'
			]);
			const appB = await new ApiClient(testAppWithLog()).login('worker_b1');
			const [foreign] = await appB.push([entry(shown)]);
			expect(foreign).toMatchObject({ status: 'rejected' });
			expect(foreign.reason).toMatch(/^fields\.residentId: /);
			// Audit entries are never pulled by devices.
			const { changes } = await worker.pullAll();
			expect(changes.some((c) => c.table === 'audit')).toBe(false);
		});

		it('erases a resident who moved out on request: fields gone, devices told, audited', async () => {
			const { cursor } = await worker.pullAll();
			const denied = await worker.request(`/residents/${person.resident}`, {
				method: 'DELETE',
				body: JSON.stringify({ reason: '已迁出' })
			});
			expect(denied.status).toBe(403);
			const noReason = await head.request(`/residents/${person.resident}`, {
				method: 'DELETE',
				body: JSON.stringify({})
			});
			expect(noReason.status).toBe(400);
			const res = await head.request(`/residents/${person.resident}`, {
				method: 'DELETE',
				body: JSON.stringify({ reason: '已迁出，本人申请删除' })
			});
			expect(res.status).toBe(200);
			const row = (await db.store.getResident(person.resident))!;
			expect(row).toMatchObject({
				deleted: true,
				name: '',
				idNumber: null,
				idNumberMasked: null,
				idHash: null,
				phone: null,
				birthYear: null,
				tags: []
			});
			const { changes } = await worker.pullAll(cursor);
			const change = changes.find((c) => c.rowId === person.resident)!;
			expect(change.op).toBe('delete');
			expect(change.fields).toMatchObject({ name: '', phone: null, idNumberMasked: null });
			expect(changes.find((c) => c.rowId === person.household)?.fields).toEqual({ memberCount: 0 });
			const [entry] = await db.store.auditEntries({ communityCode: '450102001003', limit: 1 });
			expect(entry).toMatchObject({
				action: 'resident_erased',
				subjectId: person.resident,
				reason: '已迁出，本人申请删除',
				userId: fx.users.head_a.id
			});
			expect((await unmask(head, 'phone')).status).toBe(404);
		});

		it('takes an erased resident out of the roll-up at once: expected and done check-ins drop', async () => {
			const elder = await addPerson(worker, fx.grids.a1, { name: '独居老人', dailyCheckIn: true });
			const checkin = await worker.push([
				{
					id: crypto.randomUUID(),
					table: 'checkins',
					op: 'insert',
					rowId: crypto.randomUUID(),
					fields: {
						residentId: elder.resident,
						at: new Date().toISOString(),
						status: 'fine',
						channel: 'worker'
					}
				}
			]);
			expect(checkin[0].status).toBe('applied');
			const figures = async () => {
				const res = await head.request('/rollup/450102001003');
				expect(res.status).toBe(200);
				return ((await res.json()) as { metrics: Record<string, number> }).metrics;
			};
			const before = await figures();
			const res = await head.request(`/residents/${elder.resident}`, {
				method: 'DELETE',
				body: JSON.stringify({ reason: '已迁出' })
			});
			expect(res.status).toBe(200);
			const after = await figures();
			expect(after.checkinsExpected).toBe(before.checkinsExpected - 1);
			expect(after.checkinsDone).toBe(before.checkinsDone - 1);
			// The kept figures are what a full recompute gives.
			const rollup = db.store.rollup();
			const incremental = await rollup.allFigures();
			await rollup.recompute();
			expect(incremental).toEqual(await rollup.allFigures());
			const missing = await head.request(`/residents/${crypto.randomUUID()}`, {
				method: 'DELETE',
				body: JSON.stringify({ reason: '已迁出' })
			});
			expect(missing.status).toBe(404);
		});
	});
}

// People's administration over HTTP on both dialects (docs/administration.md, "People").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, testApp, type TestApp } from './api-client';
import { PASSWORD, seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const COMMUNITY_A = '450102001003';
const STRONG = 'plum orchard lantern 42';

interface Person {
	id: string;
	username: string;
	displayName: string | null;
	phone: string | null;
	role: string;
	scope: { code: string; name: string }[];
	disabled: boolean;
	lastSyncAt: string | null;
}

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`people administration (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let app: TestApp;
		let head: ApiClient;
		let admin: ApiClient;
		let street: ApiClient;

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			app = testApp(db.store);
			head = await new ApiClient(app).login('head_a');
			admin = await new ApiClient(app).login('admin');
			street = await new ApiClient(app).login('street');
		});
		afterAll(async () => db.dispose());

		const post = (client: ApiClient, path: string, body: unknown) =>
			client.request(path, { method: 'POST', body: JSON.stringify(body) });
		const patch = (client: ApiClient, path: string, body: unknown) =>
			client.request(path, { method: 'PATCH', body: JSON.stringify(body) });
		const auditOf = async (subjectId: string) =>
			(await db.store.auditEntries({ communityCode: COMMUNITY_A, limit: 100 })).filter(
				(e) => e.subjectId === subjectId
			);

		async function createWorker(username: string, grids: string[]): Promise<Person> {
			const res = await post(head, '/users', {
				username,
				displayName: '陈晓梅',
				phone: '138 7711 2233',
				role: 'grid_worker',
				scope: grids,
				password: STRONG
			});
			expect(res.status, await res.clone().text()).toBe(201);
			return (await res.json()) as Person;
		}

		it('lets a head create a grid worker of two grids, who then signs in', async () => {
			const person = await createWorker('chen', [fx.grids.a1, fx.grids.a2]);
			expect(person).toMatchObject({
				username: 'chen',
				displayName: '陈晓梅',
				phone: '13877112233',
				role: 'grid_worker',
				disabled: false,
				scope: [
					{ code: fx.grids.a1, name: '第一网格' },
					{ code: fx.grids.a2, name: '第二网格' }
				]
			});
			await new ApiClient(app).login('chen', STRONG);
			const [entry] = await auditOf(person.id);
			expect(entry).toMatchObject({
				action: 'user_created',
				userId: fx.users.head_a.id,
				details: { username: 'chen', role: 'grid_worker' }
			});
			expect(JSON.stringify(entry)).not.toContain(STRONG);
		});

		it("lists the people of the head's community with their grids and last sync", async () => {
			const res = await head.request('/users');
			expect(res.status).toBe(200);
			expect(res.headers.get('cache-control')).toContain('no-store');
			const body = (await res.json()) as {
				division: { code: string };
				roles: string[];
				grids: { id: string }[];
				people: Person[];
			};
			expect(body.division.code).toBe(COMMUNITY_A);
			expect(body.roles.sort()).toEqual(['grid_worker', 'kiosk', 'volunteer']);
			expect(body.grids.map((g) => g.id).sort()).toEqual([fx.grids.a1, fx.grids.a2].sort());
			expect(body.people.map((p) => p.username).sort()).toEqual(['chen', 'kiosk_a', 'worker_a1']);
			const chen = body.people.find((p) => p.username === 'chen')!;
			expect(chen.lastSyncAt).toBeNull();
			// The worker syncs once: the list shows when.
			const worker = await new ApiClient(app).login('chen', STRONG);
			expect((await worker.request('/sync/pull?after=0')).status).toBe(200);
			const again = (await (await head.request('/users')).json()) as { people: Person[] };
			expect(again.people.find((p) => p.username === 'chen')!.lastSyncAt).not.toBeNull();
			// Another community's people are not the head's.
			expect((await head.request('/users?code=450102001004')).status).toBe(403);
			// A street officer sees the heads beneath, not their workers.
			const streets = (await (await street.request('/users?code=450102001')).json()) as {
				people: Person[];
				roles: string[];
			};
			expect(streets.roles).toEqual(['community_head']);
			expect(streets.people.map((p) => p.username).sort()).toEqual(['head_a', 'head_b']);
		});

		it('refuses bad input naming the field, and writes nothing', async () => {
			const base = {
				username: 'li',
				role: 'grid_worker',
				scope: [fx.grids.a1],
				password: STRONG
			};
			const cases: [ApiClient, Record<string, unknown>, number, string][] = [
				[head, { ...base, username: 'chen' }, 409, 'username'],
				[head, { ...base, username: 'bad\u0001name' }, 400, 'username'],
				[head, { ...base, phone: '12345' }, 400, 'phone'],
				[head, { ...base, password: 'password1' }, 400, 'password'],
				[head, { ...base, scope: [] }, 400, 'scope'],
				[head, { ...base, scope: [crypto.randomUUID()] }, 400, 'scope'],
				[head, { ...base, scope: [fx.grids.a1, fx.grids.b1] }, 400, 'scope'],
				[head, { ...base, role: 'kiosk', scope: ['450102001'] }, 400, 'scope'],
				[head, { ...base, role: 'community_head', scope: [COMMUNITY_A] }, 400, 'role'],
				[street, { ...base, role: 'community_head', scope: ['450102'] }, 400, 'scope'],
				[admin, { ...base, role: 'boss' }, 400, 'role'],
				// Everything ('*', the nation) is an administrator's scope only.
				[admin, { ...base, role: 'province_officer', scope: ['*'] }, 400, 'scope']
			];
			for (const [client, body, status, field] of cases) {
				const res = await post(client, '/users', body);
				const answer = (await res.json()) as { field?: string; message: string };
				expect(res.status, JSON.stringify(body)).toBe(status);
				expect(answer.field, answer.message).toBe(field);
				expect(answer.message.startsWith(`${field}:`)).toBe(true);
			}
			expect(await db.store.findUserByUsername('li')).toBeNull();
			// Outside the caller's scope: another community's grid.
			expect((await post(head, '/users', { ...base, scope: [fx.grids.b1] })).status).toBe(403);
			expect(
				(await post(street, '/users', { ...base, role: 'community_head', scope: ['450103001001'] }))
					.status
			).toBe(400);
		});

		it('edits the name and phone, and a scope change raises the scope version once', async () => {
			const person = await createWorker('zhao', [fx.grids.a1]);
			const before = (await db.store.getUser(person.id))!.scopeVersion;
			let res = await patch(head, `/users/${person.id}`, {
				displayName: '赵丽',
				phone: '+86 139 1111 2222'
			});
			expect(res.status).toBe(200);
			expect(await res.json()).toMatchObject({ displayName: '赵丽', phone: '13911112222' });
			expect((await db.store.getUser(person.id))!.scopeVersion).toBe(before);
			res = await patch(head, `/users/${person.id}`, { scope: [fx.grids.a1, fx.grids.a2] });
			expect(res.status).toBe(200);
			const after = (await db.store.getUser(person.id))!;
			expect(after.scope).toEqual([fx.grids.a1, fx.grids.a2]);
			expect(after.scopeVersion).toBe(before + 1);
			// The same scope again is no change.
			await patch(head, `/users/${person.id}`, { scope: [fx.grids.a1, fx.grids.a2] });
			expect((await db.store.getUser(person.id))!.scopeVersion).toBe(before + 1);
			// Refusals name the field and change nothing.
			res = await patch(head, `/users/${person.id}`, { phone: '555', displayName: '王' });
			expect(res.status).toBe(400);
			expect(((await res.json()) as { field: string }).field).toBe('phone');
			expect((await db.store.getUser(person.id))!.displayName).toBe('赵丽');
			res = await patch(head, `/users/${person.id}`, { scope: [fx.grids.b1] });
			expect(res.status).toBe(403);
			expect((await patch(head, `/users/${fx.users.head_b.id}`, { phone: null })).status).toBe(403);
			expect((await patch(head, `/users/${crypto.randomUUID()}`, { phone: null })).status).toBe(
				404
			);
			const actions = (await auditOf(person.id)).map((e) => e.action);
			expect(actions.filter((a) => a === 'user_updated')).toHaveLength(2);
		});

		it('disabling ends their sessions at once; enabling lets them sign in again', async () => {
			const person = await createWorker('sun', [fx.grids.a2]);
			const worker = await new ApiClient(app).login('sun', STRONG);
			expect((await worker.request('/sync/pull?after=0')).status).toBe(200);
			const res = await patch(head, `/users/${person.id}`, { disabled: true });
			expect(res.status).toBe(200);
			expect(((await res.json()) as Person).disabled).toBe(true);
			const refused = await worker.request('/sync/pull?after=0');
			expect(refused.status).toBe(401);
			await expect(new ApiClient(app).login('sun', STRONG)).rejects.toThrow(/401|403/);
			expect((await patch(head, `/users/${person.id}`, { disabled: false })).status).toBe(200);
			await new ApiClient(app).login('sun', STRONG);
			const actions = (await auditOf(person.id)).map((e) => e.action);
			expect(actions).toEqual(expect.arrayContaining(['user_disabled', 'user_enabled']));
		});

		it('a password reset ends their sessions; the new password signs in, the old does not', async () => {
			const person = await createWorker('zhou', [fx.grids.a1]);
			const worker = await new ApiClient(app).login('zhou', STRONG);
			const res = await post(head, `/users/${person.id}/password`, {});
			expect(res.status).toBe(200);
			const { password } = (await res.json()) as { password: string };
			expect(password.length).toBeGreaterThanOrEqual(16);
			expect((await worker.request('/sync/pull?after=0')).status).toBe(401);
			await expect(new ApiClient(app).login('zhou', STRONG)).rejects.toThrow(/401/);
			await new ApiClient(app).login('zhou', password);
			const [entry] = (await auditOf(person.id)).filter((e) => e.action === 'password_reset');
			expect(entry).toMatchObject({ userId: fx.users.head_a.id, details: { endedSessions: 1 } });
			expect(JSON.stringify(entry)).not.toContain(password);
			// Not the head's to reset: another community's worker.
			expect((await post(head, `/users/${fx.users.worker_b1.id}/password`, {})).status).toBe(403);
		});

		it('refuses people who manage nobody', async () => {
			const worker = await new ApiClient(app).login('worker_a1', PASSWORD);
			expect((await worker.request('/users')).status).toBe(403);
			expect((await post(worker, `/users/${fx.users.kiosk_a.id}/password`, {})).status).toBe(403);
		});
	});
}

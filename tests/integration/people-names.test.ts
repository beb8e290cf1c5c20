// Names of people in what the server answers, on both databases: inside the community its own
// people by display name (the grid table, the dispatch list it feeds, incident queues and
// histories, field histories, the audit trail); above the community, officers receive role and
// level only, never a name or a login. Alerts raise at their threshold and carry the
// community's name at every level.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/auth/password';
import { escalateOverdue } from '../../server/supervision/incidents';
import { evaluateAlerts } from '../../server/supervision/alerts';
import { DEFAULT_SETTINGS } from '../../server/supervision/settings';
import { ApiClient, testApp } from './api-client';
import { PASSWORD, seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const uuid = () => crypto.randomUUID();
const TZ = 'Asia/Shanghai';
const COMMUNITY_A = '450102001003';
type Json = Record<string, unknown>;

/** The community's people as the test names them: login and display name. */
const PEOPLE = [
	['wei_liping', '韦丽萍', 'grid_worker'],
	['qin_xiumei', '覃秀梅', 'community_head']
] as const;
const OFFICER_NAMES = [
	['lu_jianhua', '陆建华', 'street_officer', '450102001'],
	['meng_guoping', '蒙国平', 'province_officer', '45']
] as const;

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`names of people (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let clock = new Date();
		let worker: ApiClient;
		let head: ApiClient;
		let street: ApiClient;
		let province: ApiClient;
		const household = uuid();
		const resident = uuid();
		const incident = uuid();
		const ids: Record<string, string> = {};

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			const passwordHash = await hashPassword(PASSWORD);
			const scopes: Record<string, string[]> = {
				wei_liping: [fx.grids.a1],
				qin_xiumei: [COMMUNITY_A]
			};
			for (const [username, displayName, role] of PEOPLE)
				ids[username] = (
					await db.store.createUser({
						username,
						displayName,
						role,
						scope: scopes[username],
						passwordHash
					})
				).id;
			for (const [username, displayName, role, scope] of OFFICER_NAMES)
				await db.store.createUser({ username, displayName, role, scope: [scope], passwordHash });
			const app = testApp(db.store, () => clock);
			worker = await new ApiClient(app).login('wei_liping');
			head = await new ApiClient(app).login('qin_xiumei');
			street = await new ApiClient(app).login('lu_jianhua');
			province = await new ApiClient(app).login('meng_guoping');
			const results = await worker.push([
				ins('households', household, { gridId: fx.grids.a1, address: '民生路3号' }),
				ins('residents', resident, { householdId: household, name: '黄桂英' }),
				ins('incidents', incident, {
					gridId: fx.grids.a1,
					householdId: household,
					category: 'safety',
					severity: 'urgent',
					description: '燃气泄漏',
					status: 'reported'
				})
			]);
			expect(results.map((r) => r.reason ?? r.status)).toEqual(['applied', 'applied', 'applied']);
			// An edit, so that the household has a field history.
			const [edit] = await worker.push([
				{
					id: uuid(),
					table: 'households',
					op: 'update',
					rowId: household,
					baseVersion: results[0].version,
					fields: { address: '民生路3号2栋' }
				}
			]);
			expect(edit.reason ?? edit.status).toBe('applied');
			await move(head, { to: 'accepted' });
			await move(head, { to: 'dispatched', assigneeId: ids.wei_liping });
		});
		afterAll(async () => {
			await db.dispose();
		});

		function ins(table: string, rowId: string, fields: Json) {
			return { id: uuid(), table, op: 'insert', rowId, fields };
		}
		async function get<T = Json>(client: ApiClient, path: string, status = 200): Promise<T> {
			const res = await client.request(path);
			expect(res.status, `${path}: ${await res.clone().text()}`).toBe(status);
			return (await res.json()) as T;
		}
		async function move(client: ApiClient, body: Json) {
			const res = await client.request(`/incidents/${incident}/transition`, {
				method: 'POST',
				body: JSON.stringify(body)
			});
			expect(res.status, await res.clone().text()).toBe(200);
		}
		/** No login and no display name of anyone in the text. */
		function expectNobodyNamed(text: string) {
			const logins = ['worker_a1', 'head_a', 'kiosk_a', ...PEOPLE.map(([login]) => login)];
			for (const word of [...logins, ...PEOPLE.map(([, name]) => name), '黄桂英', '民生路'])
				expect(text, word).not.toContain(word);
		}

		it('gives the head display names in the grid table, the queue and the histories', async () => {
			const table = await get<{ grids: { id: string; workers: Json[] }[] }>(
				head,
				`/communities/${COMMUNITY_A}/grids`
			);
			const a1 = table.grids.find((g) => g.id === fx.grids.a1)!;
			expect(a1.workers.find((w) => w.id === ids.wei_liping)).toMatchObject({
				displayName: '韦丽萍'
			});
			const queue = await get<{ incidents: Json[] }>(head, `/incidents?code=${COMMUNITY_A}`);
			expect(queue.incidents[0]).toMatchObject({ reporter: '韦丽萍', assignee: '韦丽萍' });
			const detail = await get<{ transitions: Json[] }>(head, `/incidents/${incident}`);
			expect(detail.transitions.map((t) => [t.who, t.role])).toEqual([
				['韦丽萍', 'grid_worker'],
				['覃秀梅', 'community_head'],
				['覃秀梅', 'community_head']
			]);
			// The worker's own view of the incident names the same people.
			const mine = await get<{ transitions: Json[] }>(worker, `/incidents/${incident}`);
			expect(mine.transitions.map((t) => t.who)).toEqual(['韦丽萍', '覃秀梅', '覃秀梅']);
			const history = await get<{ entries: Json[] }>(head, `/history/households/${household}`);
			expect(history.entries.length).toBeGreaterThan(0);
			for (const entry of history.entries)
				expect(entry).toMatchObject({ actor: '韦丽萍', actorRole: 'grid_worker' });
		});

		it('never gives an officer above the community a name or a login', async () => {
			await get(street, `/communities/${COMMUNITY_A}/grids`, 403);
			await get(province, `/communities/${COMMUNITY_A}/grids`, 403);
			const start = clock;
			try {
				// Overdue: the incident goes up to the street, where the officers may read it.
				clock = new Date(start.getTime() + 2 * 3600_000 + 60_000);
				expect(await escalateOverdue(db.store, clock, TZ)).toBe(1);
				for (const [client, code] of [
					[street, '450102001'],
					[province, '45']
				] as const) {
					const queue = await get<{ incidents: Json[] }>(client, `/incidents?code=${code}`);
					expect(queue.incidents.map((i) => i.id)).toEqual([incident]);
					expect(queue.incidents[0]).not.toHaveProperty('reporter');
					expect(queue.incidents[0]).not.toHaveProperty('assignee');
					const detail = await get<{ transitions: Json[] }>(client, `/incidents/${incident}`);
					expect(detail.transitions.map((t) => [t.who, t.role, t.level])).toEqual([
						[null, 'grid_worker', 'grid'],
						[null, 'community_head', 'community'],
						[null, 'community_head', 'community'],
						[null, 'system', null]
					]);
					const texts = [
						JSON.stringify(queue),
						JSON.stringify(detail),
						JSON.stringify(await get(client, `/rollup/${code}`)),
						JSON.stringify(await get(client, `/alerts?code=${code}&status=all`))
					];
					for (const text of texts) expectNobodyNamed(text);
				}
				await get(street, `/history/households/${household}`, 403);
			} finally {
				clock = start;
			}
		});

		it('raises a count alert at the threshold and names its community at every level', async () => {
			const res = await head.request(`/communities/${COMMUNITY_A}/settings`, {
				method: 'PUT',
				body: JSON.stringify({
					...DEFAULT_SETTINGS,
					thresholds: { ...DEFAULT_SETTINGS.thresholds, abnormalResidents: 1, missedCheckins: 50 }
				})
			});
			expect(res.status, await res.clone().text()).toBe(200);
			expect(await evaluateAlerts(db.store, clock, TZ, [COMMUNITY_A])).toBe(0);
			const [visit] = await worker.push([
				ins('visits', uuid(), {
					householdId: household,
					visitedAt: clock.toISOString(),
					outcome: 'visited',
					checks: [{ residentId: resident, temperature: 38.6 }]
				})
			]);
			expect(visit.reason ?? visit.status).toBe('applied');
			// One abnormal resident, threshold one: equal counts raise the alert.
			expect(await evaluateAlerts(db.store, clock, TZ, [COMMUNITY_A])).toBe(1);
			for (const [client, code] of [
				[head, COMMUNITY_A],
				[street, '450102001'],
				[province, '45']
			] as const) {
				const { alerts } = await get<{ alerts: Json[] }>(client, `/alerts?code=${code}`);
				expect(
					alerts.find((a) => a.kind === 'abnormal_residents'),
					code
				).toMatchObject({
					communityCode: COMMUNITY_A,
					communityName: '兴宁社区居委会',
					value: 1,
					threshold: 1
				});
			}
		});

		it('shows the audit trail with names, full codes and division names', async () => {
			const unmask = await head.request(`/residents/${resident}/unmask`, {
				method: 'POST',
				body: JSON.stringify({ field: 'phone', reason: 'contact_resident' })
			});
			// No phone was recorded: the access is refused or answered, and recorded either way.
			expect([200, 404]).toContain(unmask.status);
			const { entries } = await get<{ entries: Json[] }>(head, '/audit');
			const settings = entries.find((e) => e.action === 'settings')!;
			expect(settings).toMatchObject({
				role: 'community_head',
				actorName: '覃秀梅',
				subjectType: 'community',
				subjectId: COMMUNITY_A,
				subjectName: '兴宁社区居委会',
				communityCode: COMMUNITY_A,
				communityName: '兴宁社区居委会'
			});
			const admin = await new ApiClient(testApp(db.store, () => clock)).login('admin');
			const all = await get<{ entries: Json[] }>(admin, `/audit?code=${COMMUNITY_A}`);
			expect(all.entries.find((e) => e.action === 'settings')).toMatchObject({
				actorName: '覃秀梅',
				communityName: '兴宁社区居委会'
			});
		});
	});
}

// Who may write what, by every path: each role against every synced table and operation through
// sync push, and every incident move both through push and through the online transition route,
// which must give the same verdict (the rules live once, in src/lib/domain/incident.ts and
// server/sync/scope.ts). Both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCIDENT_MOVES, type IncidentActor } from '../../src/lib/domain/incident';
import type { IncidentStatus } from '../../src/lib/shared/enums';
import type { UserRow } from '../../server/store/types';
import { hashPassword } from '../../server/auth/password';
import { ApiClient, testApp, type TestApp } from './api-client';
import { PASSWORD, seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const uuid = () => crypto.randomUUID();

/** Callers: the assigned worker, another worker of the same grid, and every other kind of user. */
const CALLERS = [
	'worker_a1',
	'worker_a1b',
	'head_a',
	'admin',
	'kiosk_a',
	'volunteer_a',
	'street',
	'province',
	'head_b',
	'worker_b1'
] as const;
type Caller = (typeof CALLERS)[number];

/** The callers that play each part for an incident of grid a1 dispatched to worker_a1. */
const PLAYS: Record<IncidentActor, readonly Caller[]> = {
	head: ['head_a', 'admin'],
	assignee: ['worker_a1']
};

/** The states an incident passes through on its way to each status, and who moves it there. */
const PATH: { to: IncidentStatus; by: Caller; extra?: Record<string, unknown> }[] = [
	{ to: 'accepted', by: 'head_a' },
	{ to: 'dispatched', by: 'head_a' },
	{ to: 'in_progress', by: 'worker_a1' },
	{ to: 'resolved', by: 'worker_a1' },
	{ to: 'verified', by: 'head_a' },
	{ to: 'closed', by: 'head_a' }
];

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`write rules on every path (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let app: TestApp;
		const users: Record<string, UserRow> = {};
		const client: Partial<Record<Caller, ApiClient>> = {};
		const as = (who: Caller) => client[who]!;

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			const passwordHash = await hashPassword(PASSWORD);
			for (const [username, role, scope] of [
				['worker_a1b', 'grid_worker', [fx.grids.a1]],
				['volunteer_a', 'volunteer', ['450102001003']]
			] as const)
				fx.users[username] = await db.store.createUser({
					username,
					role,
					scope: [...scope],
					passwordHash,
					displayName: null
				});
			Object.assign(users, fx.users);
			app = testApp(db.store);
			for (const who of CALLERS) client[who] = await new ApiClient(app).login(who);
		});
		afterAll(async () => db.dispose());

		const mutation = (
			table: string,
			op: 'insert' | 'update' | 'delete',
			rowId: string,
			fields: Record<string, unknown>,
			baseVersion?: number
		) => ({
			id: uuid(),
			table,
			op,
			rowId,
			fields,
			...(baseVersion === undefined ? {} : { baseVersion })
		});

		/** Push one mutation as `who`; the result's status, with its reason when refused. */
		async function pushOne(who: Caller, m: ReturnType<typeof mutation>) {
			const [result] = await as(who).push([m]);
			return result;
		}

		async function pushAll(who: Caller, mutations: ReturnType<typeof mutation>[]) {
			const results = await as(who).push(mutations);
			expect(results.map((r) => r.reason ?? r.status)).toEqual(mutations.map(() => 'applied'));
			return results;
		}

		async function incidentRow(id: string) {
			return (await db.store.supervision().getIncident(id))!;
		}

		/** `count` incidents of grid a1 reported by worker_a1b, each brought to `status`. */
		async function incidentsAt(status: IncidentStatus, count: number): Promise<string[]> {
			const ids = Array.from({ length: count }, uuid);
			await pushAll(
				'worker_a1b',
				ids.map((id) =>
					mutation('incidents', 'insert', id, {
						gridId: fx.grids.a1,
						category: 'safety',
						severity: 'medium',
						description: '楼道堆放杂物',
						status: 'reported'
					})
				)
			);
			for (const step of PATH.slice(0, PATH.findIndex((s) => s.to === status) + 1)) {
				const rows = await Promise.all(ids.map(incidentRow));
				await pushAll(
					step.by,
					rows.map((row) =>
						mutation(
							'incidents',
							'update',
							row.id,
							{
								status: step.to,
								...(step.to === 'dispatched' ? { assigneeId: users.worker_a1.id } : {})
							},
							row.version
						)
					)
				);
			}
			return ids;
		}

		describe('incident moves: the same verdict by push and online', () => {
			for (const move of INCIDENT_MOVES)
				it(`${move.from} → ${move.to}`, async () => {
					const allowed = new Set(move.by.flatMap((actor) => PLAYS[actor]));
					const ids = await incidentsAt(move.from, CALLERS.length * 2);
					const extra = {
						...(move.requires?.includes('assigneeId') ? { assigneeId: users.worker_a1.id } : {}),
						...(move.requires?.includes('note') ? { note: '现场照片不清楚，请补充' } : {})
					};
					// Refused callers first, so each allowed one meets the incident still at `from`.
					const order = [...CALLERS].sort(
						(a, b) => Number(allowed.has(a)) - Number(allowed.has(b))
					);
					const verdicts: string[] = [];
					for (const [i, who] of order.entries()) {
						const byPush = ids[2 * i];
						const online = ids[2 * i + 1];
						const row = await incidentRow(byPush);
						const pushed = await pushOne(
							who,
							mutation('incidents', 'update', byPush, { status: move.to, ...extra }, row.version)
						);
						const res = await as(who).request(`/incidents/${online}/transition`, {
							method: 'POST',
							body: JSON.stringify({ to: move.to, ...extra })
						});
						const expected = allowed.has(who);
						verdicts.push(`${who}: push ${pushed.status}, online ${res.status}`);
						expect(pushed.status, `${who} by push: ${pushed.reason}`).toBe(
							expected ? 'applied' : 'rejected'
						);
						expect(res.status, `${who} online`).toBe(expected ? 200 : 403);
						for (const id of [byPush, online])
							expect((await incidentRow(id)).status).toBe(expected ? move.to : move.from);
						if (expected && move.to === 'dispatched')
							expect((await incidentRow(byPush)).assigneeId).toBe(users.worker_a1.id);
					}
					expect(verdicts).toHaveLength(CALLERS.length);
				});

			it("keeps a move's note in the history, not on the row", async () => {
				const [id] = await incidentsAt('resolved', 1);
				const row = await incidentRow(id);
				const note = '现场照片不清楚，请补充';
				await pushAll('head_a', [
					mutation('incidents', 'update', id, { status: 'in_progress', note }, row.version)
				]);
				const transitions = await db.store.supervision().transitionsOf(id);
				expect(transitions.at(-1)).toMatchObject({
					fromStatus: 'resolved',
					toStatus: 'in_progress',
					actorId: users.head_a.id,
					note
				});
				const pulled = (await as('head_a').pullAll()).changes.filter((c) => c.rowId === id);
				expect(pulled.some((c) => 'note' in c.fields)).toBe(false);
			});

			it('refuses a dispatch with no assignee or to a worker of another grid, and a send-back with no reason, on both paths', async () => {
				const [a, b, c, d] = await incidentsAt('accepted', 4);
				const cases: [string, Record<string, unknown>, string][] = [
					[a, { status: 'dispatched' }, 'assigneeId'],
					[b, { status: 'dispatched', assigneeId: users.worker_b1.id }, 'assigneeId'],
					[c, { status: 'dispatched', assigneeId: users.head_a.id }, 'assigneeId'],
					[d, { status: 'in_progress', assigneeId: users.worker_a1.id }, 'assigneeId']
				];
				for (const [id, fields, field] of cases) {
					const row = await incidentRow(id);
					const pushed = await pushOne(
						'head_a',
						mutation('incidents', 'update', id, fields, row.version)
					);
					expect(pushed.status).toBe('rejected');
					expect(pushed.reason).toMatch(new RegExp(`^fields\\.${field}:`));
					const { status, ...rest } = fields;
					const res = await as('head_a').request(`/incidents/${id}/transition`, {
						method: 'POST',
						body: JSON.stringify({ to: status, ...rest })
					});
					expect(res.status).toBe(400);
					expect(((await res.json()) as { field: string }).field).toBe(field);
					expect((await incidentRow(id)).status).toBe('accepted');
				}
				const [e] = await incidentsAt('resolved', 1);
				const row = await incidentRow(e);
				const pushed = await pushOne(
					'head_a',
					mutation('incidents', 'update', e, { status: 'in_progress' }, row.version)
				);
				expect(pushed.reason).toMatch(/^fields\.note:/);
				const res = await as('head_a').request(`/incidents/${e}/transition`, {
					method: 'POST',
					body: JSON.stringify({ to: 'in_progress' })
				});
				expect(res.status).toBe(400);
				expect((await incidentRow(e)).status).toBe('resolved');
			});

			it('lets the head who takes it on directly finish it', async () => {
				const [id] = await incidentsAt('accepted', 1);
				for (const to of ['in_progress', 'resolved', 'verified', 'closed'])
					expect(
						(
							await as('head_a').request(`/incidents/${id}/transition`, {
								method: 'POST',
								body: JSON.stringify({ to })
							})
						).status,
						to
					).toBe(200);
				expect(await incidentRow(id)).toMatchObject({
					status: 'closed',
					assigneeId: users.head_a.id
				});
			});
		});

		describe("an incident's content", () => {
			it('is changed by its reporter until it is accepted, then by the head only', async () => {
				const [reported] = await incidentsAt('reported', 1);
				const [accepted] = await incidentsAt('accepted', 1);
				const edit = async (who: Caller, id: string, fields: Record<string, unknown>) =>
					pushOne(
						who,
						mutation('incidents', 'update', id, fields, (await incidentRow(id)).version)
					);
				for (const fields of [
					{ severity: 'high' },
					{ category: 'environment' },
					{ description: '楼道堆放杂物，已堵塞消防通道' }
				]) {
					expect((await edit('worker_a1', reported, fields)).status).toBe('rejected');
					expect((await edit('kiosk_a', reported, fields)).status).toBe('rejected');
					expect((await edit('worker_a1b', reported, fields)).status).toBe('applied');
					const late = await edit('worker_a1b', accepted, fields);
					expect(late.status).toBe('rejected');
					expect(late.reason).toMatch(new RegExp(`^fields\\.${Object.keys(fields)[0]}:`));
					expect((await edit('head_a', accepted, fields)).status).toBe('applied');
				}
				expect(await incidentRow(accepted)).toMatchObject({
					severity: 'high',
					category: 'environment',
					description: '楼道堆放杂物，已堵塞消防通道'
				});
			});
		});

		describe('every table by push', () => {
			/** One household with one resident in grid a1, made by head_a. */
			async function household() {
				const h = uuid();
				const r = uuid();
				const results = await pushAll('head_a', [
					mutation('households', 'insert', h, { gridId: fx.grids.a1, address: '民主路1号' }),
					mutation('residents', 'insert', r, { householdId: h, name: '李四', dailyCheckIn: true })
				]);
				return { h, r, hv: results[0].version!, rv: results[1].version! };
			}

			type Attempt = (
				rows: Awaited<ReturnType<typeof household>>,
				who: Caller
			) => ReturnType<typeof mutation>;
			/** The channel each caller's own check-ins use. */
			const channelOf = (who: Caller) =>
				who === 'kiosk_a' ? 'kiosk' : who === 'volunteer_a' ? 'assisted' : 'worker';
			// A street officer writes households and residents of their street (the roster import).
			const writes: Record<string, { attempt: Attempt; allowed: readonly Caller[] }> = {
				'households insert': {
					attempt: () =>
						mutation('households', 'insert', uuid(), { gridId: fx.grids.a1, address: '新1号' }),
					allowed: ['worker_a1', 'worker_a1b', 'head_a', 'admin', 'street']
				},
				'households update': {
					attempt: ({ h, hv }) => mutation('households', 'update', h, { address: '新2号' }, hv),
					allowed: ['worker_a1', 'worker_a1b', 'head_a', 'admin', 'street']
				},
				'households delete': {
					attempt: ({ h }) => mutation('households', 'delete', h, {}),
					allowed: ['head_a']
				},
				'residents insert': {
					attempt: ({ h }) =>
						mutation('residents', 'insert', uuid(), { householdId: h, name: '王五' }),
					allowed: ['worker_a1', 'worker_a1b', 'head_a', 'admin', 'street']
				},
				'residents update': {
					attempt: ({ r, rv }) => mutation('residents', 'update', r, { name: '李四四' }, rv),
					allowed: ['worker_a1', 'worker_a1b', 'head_a', 'admin', 'street']
				},
				'residents delete': {
					attempt: ({ r }) => mutation('residents', 'delete', r, {}),
					allowed: ['head_a']
				},
				'visits insert': {
					attempt: ({ h }) =>
						mutation('visits', 'insert', uuid(), {
							householdId: h,
							visitedAt: new Date().toISOString(),
							outcome: 'visited',
							checks: []
						}),
					allowed: ['worker_a1', 'worker_a1b', 'head_a', 'admin']
				},
				'checkins insert': {
					attempt: ({ r }, who) =>
						mutation('checkins', 'insert', uuid(), {
							residentId: r,
							at: new Date().toISOString(),
							status: 'fine',
							channel: channelOf(who)
						}),
					allowed: ['worker_a1', 'worker_a1b', 'head_a', 'admin', 'kiosk_a', 'volunteer_a']
				},
				'help request insert': {
					attempt: ({ h }) =>
						mutation('incidents', 'insert', uuid(), {
							gridId: fx.grids.a1,
							householdId: h,
							category: 'help_request',
							severity: 'high',
							description: '需要买药',
							status: 'reported'
						}),
					allowed: ['worker_a1', 'worker_a1b', 'head_a', 'admin', 'kiosk_a', 'volunteer_a']
				},
				'safety incident insert': {
					attempt: () =>
						mutation('incidents', 'insert', uuid(), {
							gridId: fx.grids.a1,
							category: 'safety',
							severity: 'low',
							description: '路灯不亮',
							status: 'reported'
						}),
					allowed: ['worker_a1', 'worker_a1b', 'head_a', 'admin']
				},
				'visit update': {
					attempt: ({ h }) => mutation('visits', 'update', h, { note: 'x' }, 1),
					allowed: []
				}
			};

			for (const [name, { attempt, allowed }] of Object.entries(writes))
				it(name, async () => {
					for (const who of CALLERS) {
						const rows = await household();
						const result = await pushOne(who, attempt(rows, who));
						expect(result.status, `${who}: ${result.reason}`).toBe(
							allowed.includes(who) ? 'applied' : 'rejected'
						);
						if (result.status === 'rejected') expect(result.reason).toMatch(/^[a-zA-Z.]+: /);
					}
				});

			it("takes a check-in's channel from who records it", async () => {
				const { r } = await household();
				const checkin = (channel: string) =>
					mutation('checkins', 'insert', uuid(), {
						residentId: r,
						at: new Date().toISOString(),
						status: 'fine',
						channel
					});
				for (const [who, channel] of [
					['kiosk_a', 'worker'],
					['volunteer_a', 'kiosk'],
					['volunteer_a', 'worker'],
					['worker_a1', 'kiosk'],
					['head_a', 'kiosk']
				] as const) {
					const result = await pushOne(who, checkin(channel));
					expect(result.status, `${who} ${channel}`).toBe('rejected');
					expect(result.reason).toMatch(/^fields\.channel: /);
				}
			});

			it('leaves erasing a resident to the head, online as by push', async () => {
				for (const who of CALLERS) {
					const { r } = await household();
					const res = await as(who).request(`/residents/${r}`, {
						method: 'DELETE',
						body: JSON.stringify({ reason: '已迁出，本人申请' })
					});
					expect(res.status, who).toBe(who === 'head_a' ? 200 : 403);
				}
			});

			it('refuses a base version ahead of the row, which would win every later edit', async () => {
				const { h, hv } = await household();
				const ahead = await pushOne(
					'worker_a1',
					mutation('households', 'update', h, { address: '未来1号' }, hv + 1000)
				);
				expect(ahead.status).toBe('rejected');
				expect(ahead.reason).toMatch(/^baseVersion: /);
				const honest = await pushOne(
					'worker_a1b',
					mutation('households', 'update', h, { address: '民主路2号' }, hv)
				);
				expect(honest.status).toBe('applied');
				const pulled = (await as('head_a').pullAll()).changes.filter((c) => c.rowId === h);
				expect(pulled.at(-1)?.fields.address).toBe('民主路2号');
			});
		});
	});
}

// Property: whatever the workload (visits, check-ins of every channel, incidents opened and
// closed, household and resident deletes, dailyCheckIn toggles, replays of whole batches, rounds,
// days going by) and whichever way it reaches the write path (a push; a head's incident move
// online; the escalation job; an erasure; a bulk insert as the seed and imports make; the
// retention purge), the figures kept incrementally equal those rebuilt from the base tables by
// recompute-rollups, for every node and period, on both databases (rounds with and without a
// check template, shipped or a county's own with two versions, and visits answering them, per
// resident and per household, abnormally or not: the question figures included, and abnormal
// residents found by answers as well as by checks); and once a day is over, its
// state figures (households, open and overdue incidents, expected check-ins) read as they stood
// at its end, at every node.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPushBatch } from '../../server/sync/push';
import { createRound as createRoundAs } from '../../server/supervision/rounds';
import { escalateOverdue, transitionIncident } from '../../server/supervision/incidents';
import { eraseResident } from '../../server/privacy/erase';
import { purgeHealthDetails } from '../../server/privacy/retention';
import type { Store } from '../../server/store/types';
import type { RoundRow } from '../../server/store/supervision';
import { SYSTEM } from '../../server/write';
import { insertRoster } from '../../server/write/roster';
import { readMetrics } from '../../server/rollup/read';
import { dayPeriod } from '../../server/rollup/metrics';
import { dayInZone, endOfDayInZone } from '../../src/lib/domain/day';
import { SEVERITIES, type IncidentStatus, type NodeLevel } from '../../src/lib/shared/enums';
import type { Mutation } from '../../src/lib/shared/schemas';
import { seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';
import { SHIPPED_TEMPLATES } from '../../src/lib/shared/templates';
import {
	answersOf,
	CUSTOM_TEMPLATE_ID,
	CUSTOM_VERSIONS,
	insertTemplate,
	TEST_VERSIONS
} from './templates';

const DAYS = ['2026-11-19', '2026-11-20', '2026-11-21'];
const TZ = 'Asia/Shanghai';
const CHANNELS = ['kiosk', 'assisted', 'worker'] as const;
const STATUS_PATH = ['reported', 'accepted', 'in_progress', 'resolved', 'verified', 'closed'];

type Op =
	| { kind: 'household'; grid: number }
	| { kind: 'resident'; household: number; daily: boolean }
	| {
			kind: 'visit';
			household: number;
			day: number;
			abnormal: number[];
			/** 0: no template; n: answers to TEST_VERSIONS[n - 1], drawn from `answers`. */
			template?: number;
			answers?: number[];
	  }
	| { kind: 'checkin'; resident: number; day: number; channel: number }
	| { kind: 'incident'; grid: number; severity?: number }
	| { kind: 'advance'; incident: number }
	| { kind: 'deleteHousehold'; household: number }
	| { kind: 'deleteResident'; resident: number }
	| { kind: 'toggle'; resident: number }
	| { kind: 'replay'; batch: number }
	/** The batch is pushed the next day. */
	| { kind: 'nextDay' }
	// After the batch is pushed, in order: writes made otherwise than by push.
	/** The incident's next move, made online by its community's head (or its handler). */
	| { kind: 'move'; incident: number }
	| { kind: 'escalate' }
	| { kind: 'erase'; resident: number }
	| { kind: 'bulk'; grid: number; residents: number; daily: boolean }
	| { kind: 'purge' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
	fc.record({ kind: fc.constant('household' as const), grid: fc.nat(2) }),
	fc.record({ kind: fc.constant('resident' as const), household: fc.nat(), daily: fc.boolean() }),
	fc.record({
		kind: fc.constant('visit' as const),
		household: fc.nat(),
		day: fc.nat(2),
		abnormal: fc.array(fc.nat(4), { maxLength: 3 }),
		template: fc.nat(TEST_VERSIONS.length),
		answers: fc.array(fc.nat(255), { maxLength: 40 })
	}),
	fc.record({
		kind: fc.constant('checkin' as const),
		resident: fc.nat(),
		day: fc.nat(2),
		channel: fc.nat(2)
	}),
	fc.record({ kind: fc.constant('incident' as const), grid: fc.nat(2), severity: fc.nat(3) }),
	fc.record({ kind: fc.constant('advance' as const), incident: fc.nat() }),
	fc.record({ kind: fc.constant('deleteHousehold' as const), household: fc.nat() }),
	fc.record({ kind: fc.constant('deleteResident' as const), resident: fc.nat() }),
	fc.record({ kind: fc.constant('toggle' as const), resident: fc.nat() }),
	fc.record({ kind: fc.constant('replay' as const), batch: fc.nat() }),
	fc.record({ kind: fc.constant('nextDay' as const) }),
	fc.record({ kind: fc.constant('move' as const), incident: fc.nat() }),
	fc.record({ kind: fc.constant('escalate' as const) }),
	fc.record({ kind: fc.constant('erase' as const), resident: fc.nat() }),
	fc.record({
		kind: fc.constant('bulk' as const),
		grid: fc.nat(2),
		residents: fc.nat(3),
		daily: fc.boolean()
	}),
	fc.record({ kind: fc.constant('purge' as const) })
);

/** Templates a round created during a workload asks: none, shipped (household questions), custom. */
const NEW_ROUND_TEMPLATES = [
	{ templateId: null, templateVersion: null },
	{ templateId: SHIPPED_TEMPLATES[2].id, templateVersion: 1 },
	{ templateId: CUSTOM_TEMPLATE_ID, templateVersion: 2 }
];

/** A round created by the street officer or a head, through the write path. */
const createRound = (store: Store, round: RoundRow, user: Parameters<typeof createRoundAs>[1]) =>
	createRoundAs(store, user, round, { now: round.createdAt, timeZone: 'Asia/Shanghai' });

/** Nodes whose state figures are compared, with their children. */
const NODES: { code: string; level: NodeLevel; children: (g: string[]) => string[] }[] = [
	{ code: '45', level: 'province', children: () => ['4501'] },
	{ code: '450102001', level: 'street', children: () => ['450102001003', '450102001004'] },
	{ code: '450102001003', level: 'community', children: (g) => [g[0], g[1]] },
	{ code: '450102001004', level: 'community', children: (g) => [g[2]] }
];

interface Model {
	households: { id: string; live: boolean; residents: string[] }[];
	residents: { id: string; household: string; live: boolean; daily: boolean; version: number }[];
	incidents: {
		id: string;
		step: number;
		version: number;
		head: 'head_a' | 'head_b';
		/** Who took it on (accepted → in_progress): the only one who may resolve it. */
		handler: 'admin' | 'head_a' | 'head_b' | null;
	}[];
	batches: Mutation[][];
}

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`roll-up equals recompute (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		const model: Model = { households: [], residents: [], incidents: [], batches: [] };
		// Pushes happen at 10:00 on successive days, from a day after the visits' days.
		let clock = new Date('2027-03-01T10:00:00+08:00');
		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			fx.users.kiosk_b = await db.store.createUser({
				username: 'kiosk_b',
				role: 'kiosk',
				scope: ['450102001004'],
				passwordHash: 'unused',
				displayName: null
			});
			// Rounds at the street and at one community, created before and during the workload.
			await createRound(
				db.store,
				{
					id: crypto.randomUUID(),
					divisionCode: '450102001',
					name: '十一月排查',
					startDate: DAYS[0],
					dueDate: DAYS[1],
					createdBy: fx.users.street.id,
					createdAt: new Date(),
					templateId: null,
					templateVersion: null
				},
				fx.users.street
			);
			// The county's own template, in two versions; rounds asking it and a shipped one.
			await insertTemplate(db.url, {
				id: CUSTOM_TEMPLATE_ID,
				divisionCode: '450102',
				name: '县自定义排查',
				versions: CUSTOM_VERSIONS
			});
			await createRound(
				db.store,
				{
					id: crypto.randomUUID(),
					divisionCode: '450102001',
					name: '发热排查',
					startDate: DAYS[0],
					dueDate: DAYS[2],
					createdBy: fx.users.street.id,
					createdAt: new Date(),
					templateId: SHIPPED_TEMPLATES[1].id,
					templateVersion: 1
				},
				fx.users.street
			);
			await createRound(
				db.store,
				{
					id: crypto.randomUUID(),
					divisionCode: '450102001004',
					name: '北宁专项排查',
					startDate: DAYS[0],
					dueDate: DAYS[1],
					createdBy: fx.users.head_b.id,
					createdAt: new Date(),
					templateId: CUSTOM_TEMPLATE_ID,
					templateVersion: 1
				},
				fx.users.head_b
			);
		});
		afterAll(async () => db.dispose());

		/** Kinds of writes other than a push that the workloads made. */
		const reached = new Set<string>();
		/** The community head who may delete a household or resident, by row id. */
		const headOf = new Map<string, 'head_a' | 'head_b'>();
		// Deletes are the community head's, kiosk check-ins the community's kiosk's; everything
		// else is pushed by the administrator.
		const actorOf = (mu: Mutation) => {
			if (mu.op === 'delete') return fx.users[headOf.get(mu.rowId) ?? 'admin'];
			if (mu.table === 'checkins' && mu.fields.channel === 'kiosk')
				return fx.users[
					headOf.get(String(mu.fields.residentId)) === 'head_b' ? 'kiosk_b' : 'kiosk_a'
				];
			return fx.users.admin;
		};
		/** Push a batch, split into consecutive runs of one actor, in order. */
		const push = async (mutations: Mutation[]) => {
			const results: Awaited<ReturnType<typeof applyPushBatch>> = [];
			for (let i = 0; i < mutations.length;) {
				const user = actorOf(mutations[i]);
				let j = i;
				while (j < mutations.length && actorOf(mutations[j]) === user) j++;
				results.push(
					...(await applyPushBatch(
						db.store,
						{ user, deviceId: 'prop', timeZone: TZ, now: clock },
						mutations.slice(i, j)
					))
				);
				i = j;
			}
			return results;
		};

		/** State figures of every compared node and child for a day, read at `now`. */
		async function stateFigures(day: string, now: Date) {
			const grids = [fx.grids.a1, fx.grids.a2, fx.grids.b1];
			const out: Record<string, number[]> = {};
			for (const node of NODES)
				for (const [code, m] of await readMetrics(
					db.store,
					node,
					node.children(grids),
					dayPeriod(day),
					now,
					TZ
				))
					out[code] = [m.households, m.openIncidents, m.overdueIncidents, m.checkinsExpected];
			return out;
		}

		/** Turn abstract operations into mutations against the model (skipping impossible ones). */
		function mutationsOf(ops: Op[]): {
			mutations: Mutation[];
			replays: Mutation[][];
			after: (() => Promise<void>)[];
		} {
			const grids = [fx.grids.a1, fx.grids.a2, fx.grids.b1];
			const mutations: Mutation[] = [];
			const replays: Mutation[][] = [];
			const after: (() => Promise<void>)[] = [];
			const later = (kind: string, write: () => Promise<void>) =>
				after.push(async () => {
					await write();
					reached.add(kind);
				});
			const headOfGrid = (grid: number) => (grid % grids.length === 2 ? 'head_b' : 'head_a');
			const m = (
				table: Mutation['table'],
				op: Mutation['op'],
				rowId: string,
				fields: object,
				baseVersion?: number
			): Mutation => ({
				id: crypto.randomUUID(),
				table,
				op,
				rowId,
				fields: fields as Record<string, unknown>,
				...(baseVersion === undefined ? {} : { baseVersion })
			});
			const pick = <T>(list: T[], n: number) => (list.length ? list[n % list.length] : undefined);
			for (const op of ops) {
				const liveHouseholds = model.households.filter((h) => h.live);
				const liveResidents = model.residents.filter(
					(r) => r.live && model.households.find((h) => h.id === r.household)?.live
				);
				switch (op.kind) {
					case 'household': {
						const id = crypto.randomUUID();
						mutations.push(
							m('households', 'insert', id, {
								gridId: grids[op.grid],
								address: `地址${id.slice(0, 4)}`
							})
						);
						model.households.push({ id, live: true, residents: [] });
						headOf.set(id, op.grid % grids.length === 2 ? 'head_b' : 'head_a');
						break;
					}
					case 'resident': {
						const h = pick(liveHouseholds, op.household);
						if (!h) break;
						const id = crypto.randomUUID();
						mutations.push(
							m('residents', 'insert', id, {
								householdId: h.id,
								name: '居民',
								dailyCheckIn: op.daily
							})
						);
						h.residents.push(id);
						headOf.set(id, headOf.get(h.id)!);
						model.residents.push({ id, household: h.id, live: true, daily: op.daily, version: -1 });
						break;
					}
					case 'visit': {
						const h = pick(liveHouseholds, op.household);
						if (!h) break;
						const members = model.residents.filter((r) => r.household === h.id && r.live);
						const checks = members.map((r, i) =>
							op.abnormal.includes(i)
								? { residentId: r.id, temperature: 37.3 + i / 10 }
								: { residentId: r.id, temperature: 36.5 }
						);
						const version = op.template ? TEST_VERSIONS[op.template - 1] : undefined;
						const answers = version
							? {
									templateId: version.id,
									templateVersion: version.version,
									answers: answersOf(
										version.questions,
										members.map((r) => r.id),
										op.answers ?? []
									)
								}
							: {};
						mutations.push(
							m('visits', 'insert', crypto.randomUUID(), {
								householdId: h.id,
								visitedAt: `${DAYS[op.day]}T09:00:00+08:00`,
								outcome: 'visited',
								checks,
								...answers
							})
						);
						break;
					}
					case 'checkin': {
						const r = pick(liveResidents, op.resident);
						if (!r) break;
						mutations.push(
							m('checkins', 'insert', crypto.randomUUID(), {
								residentId: r.id,
								at: `${DAYS[op.day]}T08:00:00+08:00`,
								status: 'fine',
								channel: CHANNELS[op.channel]
							})
						);
						break;
					}
					case 'incident': {
						const id = crypto.randomUUID();
						mutations.push(
							m('incidents', 'insert', id, {
								gridId: grids[op.grid],
								category: 'safety',
								severity: SEVERITIES[op.severity ?? 0],
								description: '楼道堆物',
								status: 'reported'
							})
						);
						model.incidents.push({
							id,
							step: 0,
							version: -1,
							head: headOfGrid(op.grid),
							handler: null
						});
						break;
					}
					case 'advance': {
						const i = pick(
							model.incidents.filter((x) => x.step < STATUS_PATH.length - 1 && x.version >= 0),
							op.incident
						);
						if (!i) break;
						i.step++;
						if (STATUS_PATH[i.step] === 'in_progress') i.handler = 'admin';
						if (STATUS_PATH[i.step] === 'resolved' && i.handler !== 'admin') {
							// Only the one who took it on resolves it: not the administrator here.
							i.step--;
							break;
						}
						mutations.push(
							m('incidents', 'update', i.id, { status: STATUS_PATH[i.step] }, i.version)
						);
						i.version = -1;
						break;
					}
					case 'deleteHousehold': {
						const h = pick(liveHouseholds, op.household);
						if (!h) break;
						mutations.push(m('households', 'delete', h.id, {}));
						h.live = false;
						break;
					}
					case 'deleteResident': {
						const r = pick(
							liveResidents.filter((x) => x.version >= 0),
							op.resident
						);
						if (!r) break;
						mutations.push(m('residents', 'delete', r.id, {}));
						r.live = false;
						break;
					}
					case 'toggle': {
						const r = pick(
							liveResidents.filter((x) => x.version >= 0),
							op.resident
						);
						if (!r) break;
						r.daily = !r.daily;
						mutations.push(m('residents', 'update', r.id, { dailyCheckIn: r.daily }, r.version));
						r.version = -1;
						break;
					}
					case 'replay': {
						const b = pick(model.batches, op.batch);
						if (b) replays.push(b);
						break;
					}
					case 'move': {
						const i = pick(
							model.incidents.filter((x) => x.step < STATUS_PATH.length - 1 && x.version >= 0),
							op.incident
						);
						if (!i) break;
						const to = STATUS_PATH[i.step + 1] as IncidentStatus;
						const actor = to === 'resolved' ? i.handler : i.head;
						if (!actor) break;
						i.step++;
						if (to === 'in_progress') i.handler = i.head;
						i.version = -1;
						later('move', async () => {
							// A refused move throws the API's answer.
							const moved = await transitionIncident(
								db.store,
								fx.users[actor],
								i.id,
								{ to },
								{
									now: clock,
									timeZone: TZ
								}
							);
							i.version = moved.version;
						});
						break;
					}
					case 'escalate':
						later('escalate', async () => {
							if ((await escalateOverdue(db.store, clock, TZ)) > 0) reached.add('escalated');
						});
						break;
					case 'erase': {
						const r = pick(
							liveResidents.filter((x) => x.version >= 0),
							op.resident
						);
						if (!r) break;
						r.live = false;
						later('erase', async () => {
							const head = fx.users[headOf.get(r.id)!];
							expect(
								await eraseResident(db.store, head, r.id, { now: clock, timeZone: TZ })
							).not.toBe(null);
						});
						break;
					}
					case 'bulk': {
						// Not in the model until written (after the batch's push): nothing in the batch
						// refers to it.
						const household = { id: crypto.randomUUID(), live: true, residents: [] as string[] };
						const residents = Array.from({ length: op.residents }, () => ({
							id: crypto.randomUUID(),
							householdId: household.id,
							name: '导入居民',
							tags: [],
							dailyCheckIn: op.daily
						}));
						later('bulk', async () => {
							await insertRoster(
								db.store,
								SYSTEM,
								{
									households: [
										{ id: household.id, gridId: grids[op.grid], address: '导入地址', tags: [] }
									],
									residents
								},
								{ now: clock, timeZone: TZ }
							);
							model.households.push(household);
							headOf.set(household.id, headOfGrid(op.grid));
							for (const stored of await db.store.residentsOfHousehold(household.id)) {
								household.residents.push(stored.id);
								headOf.set(stored.id, headOfGrid(op.grid));
								model.residents.push({
									id: stored.id,
									household: household.id,
									live: true,
									daily: op.daily,
									version: stored.version
								});
							}
						});
						break;
					}
					case 'purge':
						later('purge', async () => void (await purgeHealthDetails(db.store, clock, TZ)));
						break;
				}
			}
			return { mutations, replays, after };
		}

		it('after random workloads every incremental figure equals the recomputed one', async () => {
			const metrics = new Set<string>();
			await fc.assert(
				fc.asyncProperty(
					fc.array(fc.array(opArb, { minLength: 1, maxLength: 12 }), {
						minLength: 1,
						maxLength: 5
					}),
					fc.boolean(),
					fc.nat(NEW_ROUND_TEMPLATES.length - 1),
					async (batches, newRound, roundTemplate) => {
						if (newRound)
							await createRound(
								db.store,
								{
									id: crypto.randomUUID(),
									divisionCode: '450102001003',
									name: '社区排查',
									startDate: DAYS[1],
									dueDate: DAYS[2],
									createdBy: fx.users.head_a.id,
									createdAt: new Date(),
									...NEW_ROUND_TEMPLATES[roundTemplate]
								},
								fx.users.head_a
							);
						const ended: { day: string; state: Record<string, number[]> }[] = [];
						for (const ops of batches) {
							if (ops.some((op) => op.kind === 'nextDay')) {
								// The day's state as it ends (read at its last millisecond), then the next day.
								const day = dayInZone(clock, TZ);
								const last = new Date(endOfDayInZone(day, TZ).getTime() - 1);
								// The one-minute job's last move of the overdue clock that day.
								await db.store.rollup().advanceOverdue(last);
								ended.push({ day, state: await stateFigures(day, last) });
								clock = new Date(clock.getTime() + 86_400_000);
							}
							const { mutations, replays, after } = mutationsOf(ops);
							if (mutations.length) {
								const results = await push(mutations);
								expect(results.map((r) => r.status)).toEqual(mutations.map(() => 'applied'));
								// New versions for later updates.
								results.forEach((r, i) => {
									const mu = mutations[i];
									const version = (r as { version?: number }).version ?? -1;
									const res = model.residents.find((x) => x.id === mu.rowId);
									if (res && mu.op !== 'delete') res.version = version;
									const inc = model.incidents.find((x) => x.id === mu.rowId);
									if (inc) inc.version = version;
								});
								model.batches.push(mutations);
							}
							for (const replay of replays) {
								const again = await push(replay);
								expect(again.every((r) => r.status === 'duplicate')).toBe(true);
							}
							for (const write of after) await write();
						}
						// Past days keep the state they ended with, whatever the later batches did.
						for (const { day, state } of ended)
							expect(await stateFigures(day, clock), day).toEqual(state);
						const rollup = db.store.rollup();
						// A day begun with no push yet is frozen by the job (recompute would freeze it too),
						// which moves the overdue clock as well.
						await rollup.freezeYesterday({ now: clock, timeZone: TZ });
						await rollup.advanceOverdue(clock);
						const incremental = await rollup.allFigures();
						await rollup.recompute({ now: clock, timeZone: TZ });
						const recomputed = await rollup.allFigures();
						expect(incremental).toEqual(recomputed);
						for (const { day, state } of ended)
							expect(await stateFigures(day, clock), day).toEqual(state);
						for (const f of incremental) metrics.add(f.metric);
					}
				),
				{
					numRuns: 25,
					// Besides the random workloads, one that surely reaches every kind of figure (an
					// abnormal check needs a resident in the visited household), so the check below
					// never depends on chance, and one that repeats a visit across batches.
					examples: [
						// First, so the households it names are the first ones: template answers for
						// sure: both versions of the county's template (a key asked of the household
						// in one, of each member in the other), the shipped fever check, households
						// visited again with other answers, a new round pinning version 2.
						[
							[
								[
									{ kind: 'household', grid: 0 },
									{ kind: 'resident', household: 0, daily: false },
									{ kind: 'resident', household: 0, daily: false },
									{ kind: 'household', grid: 2 },
									{ kind: 'resident', household: 1, daily: false },
									{
										kind: 'visit',
										household: 0,
										day: 1,
										abnormal: [],
										template: 4,
										answers: [1, 2, 1, 2, 1, 0, 1, 1, 1, 100, 1, 10, 1, 4]
									},
									{
										kind: 'visit',
										household: 0,
										day: 2,
										abnormal: [],
										template: 3,
										answers: [1, 0, 1, 0, 1, 2, 1]
									},
									{
										kind: 'visit',
										household: 1,
										day: 0,
										abnormal: [],
										template: 1,
										answers: [1, 5, 1, 1, 1, 0]
									},
									{
										kind: 'visit',
										household: 1,
										day: 0,
										abnormal: [],
										template: 3,
										answers: [1, 0, 1, 2]
									}
								],
								[
									{
										kind: 'visit',
										household: 0,
										day: 2,
										abnormal: [],
										template: 4,
										answers: [1, 0, 1, 2, 1, 1, 1, 1]
									},
									{
										kind: 'visit',
										household: 1,
										day: 1,
										abnormal: [0],
										template: 3,
										answers: [1, 1, 1, 2]
									},
									{
										kind: 'visit',
										household: 1,
										day: 1,
										abnormal: [],
										template: 1,
										answers: [1, 2, 1, 0]
									}
								]
							],
							true,
							2
						],
						// Every way into the write path besides a push, in one workload.
						[
							[
								[
									{ kind: 'household', grid: 0 },
									{ kind: 'resident', household: 0, daily: true },
									{ kind: 'resident', household: 0, daily: true },
									{ kind: 'visit', household: 0, day: 0, abnormal: [0] },
									{ kind: 'checkin', resident: 0, day: 0, channel: 2 },
									{ kind: 'incident', grid: 0, severity: 3 },
									{ kind: 'incident', grid: 2, severity: 1 },
									{ kind: 'bulk', grid: 2, residents: 3, daily: true }
								],
								[
									{ kind: 'nextDay' },
									{ kind: 'move', incident: 0 },
									{ kind: 'move', incident: 1 },
									{ kind: 'escalate' },
									{ kind: 'erase', resident: 0 },
									{ kind: 'purge' }
								],
								[
									{ kind: 'move', incident: 0 },
									{ kind: 'move', incident: 0 },
									{ kind: 'visit', household: 0, day: 0, abnormal: [0, 1] },
									{ kind: 'checkin', resident: 3, day: 1, channel: 2 },
									{ kind: 'toggle', resident: 2 },
									{ kind: 'deleteResident', resident: 1 }
								],
								[{ kind: 'move', incident: 0 }, { kind: 'move', incident: 0 }, { kind: 'escalate' }]
							],
							false,
							0
						],
						[
							[
								[
									{ kind: 'household', grid: 0 },
									{ kind: 'resident', household: 0, daily: true },
									{ kind: 'visit', household: 0, day: 0, abnormal: [0, 1, 2, 3, 4] },
									{ kind: 'checkin', resident: 0, day: 0, channel: 0 },
									{ kind: 'incident', grid: 0 }
								],
								[
									{ kind: 'nextDay' },
									{ kind: 'deleteHousehold', household: 0 },
									{ kind: 'incident', grid: 1 }
								]
							],
							false,
							0
						],
						// A household visited again in a later batch, its resident found abnormal
						// again: "first in the period" must look at what earlier batches stored.
						[
							[
								[
									{ kind: 'household', grid: 0 },
									{ kind: 'resident', household: 0, daily: false },
									{ kind: 'visit', household: 0, day: 0, abnormal: [0] }
								],
								[
									{ kind: 'visit', household: 0, day: 0, abnormal: [0] },
									{ kind: 'visit', household: 0, day: 0, abnormal: [] }
								]
							],
							true,
							0
						]
					]
				}
			);
			// The workloads went through every way into the write path, and reached every kind of
			// figure.
			expect([...reached].sort()).toEqual([
				'bulk',
				'erase',
				'escalate',
				'escalated',
				'move',
				'purge'
			]);
			expect([...metrics].sort()).toEqual(
				expect.arrayContaining([
					'abnormalResidents',
					'checkinsDone',
					'checkinsExpected',
					'households',
					'openIncidents',
					'visitedHouseholds',
					'visits',
					// Question figures of a shipped template and of both custom versions.
					'q:temperature:asked',
					'q:temperature:abnormal',
					'q:fever:asked',
					'q:mood:asked',
					'q:mood:abnormal',
					'q:water:asked',
					'q:water:abnormal',
					'q:bp:abnormal',
					'q:pills:abnormal'
				])
			);
		});
	});
}

// Property (docs/care-tiers.md): whatever the workload — days going by (0–20 at a time, the
// day's first job run made or not), tags of households and residents set and edited, residents
// and households deleted, visits of every outcome (abnormal or not, late ones with past days),
// unwell and need-help check-ins, help requests opened and their category changed, and the
// visit frequencies changed through the settings API or changeCommunitySettings — on both
// databases:
//   (a) every live household's lastVisitedOn, dueOn, dueReason and careTag equal what the rules
//       give from its base rows (visits, check-ins, incidents, residents), read here with plain
//       queries;
//   (b) the roll-up's figures kept incrementally (visitsDue, visitsOverdue, "due:<day>" and the
//       rest) equal those rebuilt by recompute;
//   (c) GET /rollup/<code> answers visitsDue and visitsOverdue today equal to the live
//       households counted by their due day.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPushBatch } from '../../server/sync/push';
import { runSupervisionJobs } from '../../server/supervision/jobs';
import { changeCommunitySettings, communitySettings } from '../../server/supervision/settings';
import {
	CARE_TAGS,
	careTagOf,
	DEFAULT_VISIT_FREQUENCY,
	dueOf,
	earlierSignal,
	type DueSignal,
	type Signal,
	type VisitFrequency
} from '../../src/lib/domain/care';
import { addDays, dayInZone } from '../../src/lib/domain/day';
import { HOUSEHOLD_TAGS, VISIT_OUTCOMES } from '../../src/lib/shared/enums';
import type { Mutation } from '../../src/lib/shared/schemas';
import { ApiClient, testApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const TZ = 'Asia/Shanghai';
const COMMUNITIES = ['450102001003', '450102001004'] as const;

type Op =
	| { kind: 'household'; grid: number; tags: number[] }
	| { kind: 'resident'; household: number; tags: number[] }
	| { kind: 'householdTags'; household: number; tags: number[] }
	| { kind: 'residentTags'; resident: number; tags: number[] }
	| { kind: 'deleteResident'; resident: number }
	| { kind: 'deleteHousehold'; household: number }
	| {
			kind: 'visit';
			household: number;
			/** Days before today the visit was made (a late one when > 0). */
			back: number;
			outcome: number;
			abnormal: boolean;
	  }
	| { kind: 'checkin'; resident: number; back: number; status: number }
	| { kind: 'incident'; household: number; help: boolean }
	| { kind: 'recategorize'; incident: number }
	| { kind: 'frequency'; community: number; tag: number; days: number; api: boolean };

const tagsArb = fc.uniqueArray(fc.nat(HOUSEHOLD_TAGS.length - 1), { maxLength: 2 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
	{
		arbitrary: fc.record({
			kind: fc.constant('household' as const),
			grid: fc.nat(2),
			tags: tagsArb
		}),
		weight: 3
	},
	{
		arbitrary: fc.record({
			kind: fc.constant('resident' as const),
			household: fc.nat(),
			tags: tagsArb
		}),
		weight: 3
	},
	fc.record({ kind: fc.constant('householdTags' as const), household: fc.nat(), tags: tagsArb }),
	fc.record({ kind: fc.constant('residentTags' as const), resident: fc.nat(), tags: tagsArb }),
	fc.record({ kind: fc.constant('deleteResident' as const), resident: fc.nat() }),
	fc.record({ kind: fc.constant('deleteHousehold' as const), household: fc.nat() }),
	{
		arbitrary: fc.record({
			kind: fc.constant('visit' as const),
			household: fc.nat(),
			back: fc.oneof(fc.constant(0), fc.nat(25)),
			outcome: fc.nat(VISIT_OUTCOMES.length - 1),
			abnormal: fc.boolean()
		}),
		weight: 4
	},
	{
		arbitrary: fc.record({
			kind: fc.constant('checkin' as const),
			resident: fc.nat(),
			back: fc.nat(3),
			status: fc.nat(2)
		}),
		weight: 2
	},
	fc.record({ kind: fc.constant('incident' as const), household: fc.nat(), help: fc.boolean() }),
	fc.record({ kind: fc.constant('recategorize' as const), incident: fc.nat() }),
	fc.record({
		kind: fc.constant('frequency' as const),
		community: fc.nat(1),
		tag: fc.nat(CARE_TAGS.length - 1),
		days: fc.integer({ min: 1, max: 60 }),
		api: fc.boolean()
	})
);

/** A step: the clock moves on, the day's first job runs or not, a batch is written. */
const stepArb = fc.record({
	days: fc.nat(20),
	hours: fc.nat(12),
	job: fc.boolean(),
	ops: fc.array(opArb, { minLength: 1, maxLength: 8 })
});

/** Rows of one query on the database behind a test store. */
async function query<T>(url: string, statement: string): Promise<T[]> {
	if (url.startsWith('file:')) {
		const client = new Database(url.slice('file:'.length), { readonly: true });
		try {
			return client.prepare(statement).all() as T[];
		} finally {
			client.close();
		}
	}
	const client = postgres(url, { max: 1, onnotice: () => {} });
	try {
		return (await client.unsafe(statement)) as unknown as T[];
	} finally {
		await client.end();
	}
}

const tagsOf = (v: unknown): string[] => (typeof v === 'string' ? JSON.parse(v) : (v as string[]));
const dateOf = (v: unknown): Date => (v instanceof Date ? v : new Date(Number(v)));
const flag = (v: unknown): boolean => v === true || v === 1;

interface CareFields {
	lastVisitedOn: string | null;
	dueOn: string | null;
	dueReason: string | null;
	careTag: string | null;
}

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`care tiers equal the rules (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let clock = new Date('2027-03-01T10:00:00+08:00');
		const model = {
			households: [] as { id: string; grid: number; live: boolean }[],
			residents: [] as { id: string; household: string; live: boolean }[],
			incidents: [] as { id: string; help: boolean }[]
		};
		/** The visit frequencies each community was given, as this test set them. */
		const frequencies = new Map<string, VisitFrequency>(
			COMMUNITIES.map((c) => [c, { ...DEFAULT_VISIT_FREQUENCY }])
		);
		const grids = () => [fx.grids.a1, fx.grids.a2, fx.grids.b1];
		const communityOfGrid = (grid: number) => (grid === 2 ? COMMUNITIES[1] : COMMUNITIES[0]);
		const headOf = (community: string) => (community === COMMUNITIES[1] ? 'head_b' : 'head_a');
		const app = () => testApp(db.store, () => clock);
		const reached = new Set<string>();

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
		});
		afterAll(async () => db?.dispose());

		const mutation = (
			table: Mutation['table'],
			op: Mutation['op'],
			rowId: string,
			fields: Record<string, unknown>,
			baseVersion?: number
		): Mutation => ({
			id: crypto.randomUUID(),
			table,
			op,
			rowId,
			fields,
			...(baseVersion === undefined ? {} : { baseVersion })
		});

		const versionOf = async (table: 'households' | 'residents' | 'incidents', id: string) => {
			const [row] = await query<{ version: number | string }>(
				db.url,
				`select version from ${table} where id = '${id}'`
			);
			return Number(row.version);
		};

		/** Push mutations one actor at a time: deletes are the community head's, the rest the administrator's. */
		const push = async (mutations: { m: Mutation; by: keyof Fixture['users'] }[]) => {
			for (const { m, by } of mutations) {
				const [result] = await applyPushBatch(
					db.store,
					{ user: fx.users[by], deviceId: 'care-prop', timeZone: TZ, now: clock },
					[m]
				);
				expect(result.status, `${m.table} ${m.op} ${JSON.stringify(result)}`).toBe('applied');
				reached.add(`${m.table}:${m.op}`);
			}
		};

		const day = () => dayInZone(clock, TZ);
		const at = (back: number, time: string) => `${addDays(day(), -back)}T${time}+08:00`;

		/** Apply one step's operations (skipping those the model makes impossible). */
		async function apply(ops: Op[]): Promise<void> {
			const pick = <T>(list: T[], n: number) => (list.length ? list[n % list.length] : undefined);
			const batch: { m: Mutation; by: keyof Fixture['users'] }[] = [];
			const tagNames = (tags: number[]) => tags.map((t) => HOUSEHOLD_TAGS[t]);
			for (const op of ops) {
				const liveHouseholds = model.households.filter((h) => h.live);
				const liveResidents = model.residents.filter(
					(r) => r.live && model.households.find((h) => h.id === r.household)?.live
				);
				const gridOf = (householdId: string) =>
					model.households.find((h) => h.id === householdId)!.grid;
				switch (op.kind) {
					case 'household': {
						const id = crypto.randomUUID();
						batch.push({
							m: mutation('households', 'insert', id, {
								gridId: grids()[op.grid],
								address: `和平路${model.households.length}号`,
								tags: tagNames(op.tags)
							}),
							by: 'admin'
						});
						model.households.push({ id, grid: op.grid, live: true });
						break;
					}
					case 'resident': {
						const h = pick(liveHouseholds, op.household);
						if (!h) break;
						const id = crypto.randomUUID();
						batch.push({
							m: mutation('residents', 'insert', id, {
								householdId: h.id,
								name: '居民',
								tags: tagNames(op.tags)
							}),
							by: 'admin'
						});
						model.residents.push({ id, household: h.id, live: true });
						break;
					}
					case 'householdTags': {
						const h = pick(liveHouseholds, op.household);
						if (!h) break;
						// Written now: the version is the stored one (care fields bump it).
						await push(batch.splice(0));
						await push([
							{
								m: mutation(
									'households',
									'update',
									h.id,
									{ tags: tagNames(op.tags) },
									await versionOf('households', h.id)
								),
								by: 'admin'
							}
						]);
						break;
					}
					case 'residentTags': {
						const r = pick(liveResidents, op.resident);
						if (!r) break;
						await push(batch.splice(0));
						await push([
							{
								m: mutation(
									'residents',
									'update',
									r.id,
									{ tags: tagNames(op.tags) },
									await versionOf('residents', r.id)
								),
								by: 'admin'
							}
						]);
						break;
					}
					case 'deleteResident': {
						const r = pick(liveResidents, op.resident);
						if (!r) break;
						batch.push({
							m: mutation('residents', 'delete', r.id, {}),
							by: headOf(communityOfGrid(gridOf(r.household)))
						});
						r.live = false;
						break;
					}
					case 'deleteHousehold': {
						const h = pick(liveHouseholds, op.household);
						if (!h) break;
						batch.push({
							m: mutation('households', 'delete', h.id, {}),
							by: headOf(communityOfGrid(h.grid))
						});
						h.live = false;
						break;
					}
					case 'visit': {
						const h = pick(liveHouseholds, op.household);
						if (!h) break;
						const members = liveResidents.filter((r) => r.household === h.id);
						const outcome = VISIT_OUTCOMES[op.outcome];
						const abnormal = op.abnormal && outcome === 'visited' && members.length > 0;
						batch.push({
							m: mutation('visits', 'insert', crypto.randomUUID(), {
								householdId: h.id,
								visitedAt: at(op.back, '09:30:00'),
								outcome,
								checks:
									outcome === 'visited'
										? members.map((r, i) => ({
												residentId: r.id,
												temperature: abnormal && i === 0 ? 38.2 : 36.6
											}))
										: []
							}),
							by: 'admin'
						});
						break;
					}
					case 'checkin': {
						const r = pick(liveResidents, op.resident);
						if (!r) break;
						batch.push({
							m: mutation('checkins', 'insert', crypto.randomUUID(), {
								residentId: r.id,
								at: at(op.back, '08:00:00'),
								status: (['fine', 'unwell', 'need_help'] as const)[op.status],
								channel: 'worker'
							}),
							by: 'admin'
						});
						break;
					}
					case 'incident': {
						const h = pick(liveHouseholds, op.household);
						if (!h) break;
						const id = crypto.randomUUID();
						batch.push({
							m: mutation('incidents', 'insert', id, {
								gridId: grids()[h.grid],
								householdId: h.id,
								category: op.help ? 'help_request' : 'other',
								severity: 'medium',
								description: op.help ? '求助' : '生活困难',
								status: 'reported'
							}),
							by: 'admin'
						});
						model.incidents.push({ id, help: op.help });
						break;
					}
					case 'recategorize': {
						const i = pick(model.incidents, op.incident);
						if (!i) break;
						await push(batch.splice(0));
						i.help = !i.help;
						await push([
							{
								m: mutation(
									'incidents',
									'update',
									i.id,
									{ category: i.help ? 'help_request' : 'other' },
									await versionOf('incidents', i.id)
								),
								by: 'admin'
							}
						]);
						break;
					}
					case 'frequency': {
						await push(batch.splice(0));
						const code = COMMUNITIES[op.community];
						const before = await communitySettings(db.store, code);
						const visitFrequency = { ...before.visitFrequency, [CARE_TAGS[op.tag]]: op.days };
						if (op.api) {
							const head = await new ApiClient(app()).login(headOf(code));
							const res = await head.request(`/communities/${code}/settings`, {
								method: 'PUT',
								body: JSON.stringify({ ...before, visitFrequency })
							});
							expect(res.status).toBe(200);
							reached.add('settings:api');
						} else {
							await changeCommunitySettings(
								db.store,
								fx.users[headOf(code)],
								code,
								{ ...before, visitFrequency },
								{ now: clock, timeZone: TZ }
							);
							reached.add('settings:direct');
						}
						frequencies.set(code, visitFrequency);
						break;
					}
				}
			}
			await push(batch);
		}

		/** What the rules give every live household, from its base rows read with plain queries. */
		async function expected(): Promise<Map<string, CareFields>> {
			const households = await query<Record<string, unknown>>(
				db.url,
				'select h.id, h.tags, h.created_at, g.community_code from households h join grids g on g.id = h.grid_id where h.deleted = false'
			);
			const residents = await query<Record<string, unknown>>(
				db.url,
				'select household_id, tags from residents where deleted = false'
			);
			const visits = await query<Record<string, unknown>>(
				db.url,
				'select household_id, day, outcome, abnormal from visits'
			);
			const checkins = await query<Record<string, unknown>>(
				db.url,
				`select r.household_id, c.day, c.status from checkins c join residents r on r.id = c.resident_id where c.status in ('unwell', 'need_help')`
			);
			const requests = await query<Record<string, unknown>>(
				db.url,
				`select household_id, created_at from incidents where category = 'help_request' and household_id is not null`
			);
			const out = new Map<string, CareFields>();
			for (const h of households) {
				const id = String(h.id);
				const frequency = frequencies.get(String(h.community_code))!;
				const tags = [
					...tagsOf(h.tags),
					...residents.filter((r) => r.household_id === id).flatMap((r) => tagsOf(r.tags))
				];
				const careTag = careTagOf(tags, frequency);
				const own = visits.filter((v) => v.household_id === id);
				const lastVisitedOn =
					own
						.filter((v) => v.outcome === 'visited')
						.map((v) => String(v.day))
						.sort()
						.at(-1) ?? null;
				const signals: Signal[] = [
					...own
						.filter((v) => flag(v.abnormal))
						.map((v) => ({ day: String(v.day), kind: 'abnormal' as const })),
					...checkins
						.filter((c) => c.household_id === id)
						.map((c) => ({ day: String(c.day), kind: c.status as DueSignal })),
					...requests
						.filter((r) => r.household_id === id)
						.map((r) => ({
							day: dayInZone(dateOf(r.created_at), TZ),
							kind: 'help_request' as const
						}))
				].filter((s) => lastVisitedOn === null || s.day >= lastVisitedOn);
				const due = dueOf({
					registeredOn: dayInZone(dateOf(h.created_at), TZ),
					lastVisitedOn,
					signal: signals.reduce<Signal | null>(earlierSignal, null),
					careTag,
					frequency
				});
				out.set(id, { lastVisitedOn, careTag, ...due });
			}
			return out;
		}

		/** What the stored live households say. */
		async function stored(): Promise<
			Map<string, CareFields & { community: string; gridId: string }>
		> {
			const rows = await query<Record<string, unknown>>(
				db.url,
				'select h.id, h.grid_id, g.community_code, h.last_visited_on, h.due_on, h.due_reason, h.care_tag from households h join grids g on g.id = h.grid_id where h.deleted = false'
			);
			return new Map(
				rows.map((r) => [
					String(r.id),
					{
						lastVisitedOn: (r.last_visited_on as string | null) ?? null,
						dueOn: (r.due_on as string | null) ?? null,
						dueReason: (r.due_reason as string | null) ?? null,
						careTag: (r.care_tag as string | null) ?? null,
						community: String(r.community_code),
						gridId: String(r.grid_id)
					}
				])
			);
		}

		it('keeps every household’s due day, and the due figures, equal to the rules and a recompute', async () => {
			const figures = new Set<string>();
			const reasons = new Set<string>();
			await fc.assert(
				fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 5 }), async (steps) => {
					for (const step of steps) {
						clock = new Date(clock.getTime() + step.days * 86_400_000 + step.hours * 3_600_000);
						if (step.job) await runSupervisionJobs(db.store, clock, TZ);
						await apply(step.ops);
						for (const { due_reason } of await query<{ due_reason: string | null }>(
							db.url,
							'select distinct due_reason from households where deleted = false'
						))
							if (due_reason) reasons.add(due_reason);
					}
					// (a) Every live household as the rules have it from its base rows.
					const want = await expected();
					const have = await stored();
					expect(
						new Map([...have].map(([id, { community: _c, gridId: _g, ...fields }]) => [id, fields]))
					).toEqual(want);

					// (c) The API's due and overdue households today, by node.
					const today = day();
					const officer = await new ApiClient(app()).login('province');
					const nodes: [string, (h: { community: string; gridId: string }) => boolean][] = [
						['450102001', () => true],
						...COMMUNITIES.map(
							(c) =>
								[c, (h: { community: string }) => h.community === c] as [
									string,
									(h: { community: string }) => boolean
								]
						),
						...grids().map(
							(g) =>
								[g, (h: { gridId: string }) => h.gridId === g] as [
									string,
									(h: { gridId: string }) => boolean
								]
						)
					];
					const read = async () => {
						for (const [code, within] of nodes) {
							const res = await officer.request(`/rollup/${code}`);
							expect(res.status).toBe(200);
							const { metrics } = (await res.json()) as { metrics: Record<string, number> };
							const mine = [...have.values()].filter(within);
							expect(
								[metrics.visitsDue ?? 0, metrics.visitsOverdue ?? 0],
								`${code} on ${today}`
							).toEqual([
								mine.filter((h) => h.dueOn !== null && h.dueOn <= today).length,
								mine.filter((h) => h.dueOn !== null && h.dueOn < today).length
							]);
						}
					};
					await read();

					// (b) Figures kept incrementally equal those rebuilt by recompute.
					const rollup = db.store.rollup();
					await rollup.freezeYesterday({ now: clock, timeZone: TZ });
					// The job's move of the overdue clock, which a recompute counts against too.
					await rollup.advanceOverdue(clock);
					const incremental = await rollup.allFigures();
					await rollup.recompute({ now: clock, timeZone: TZ });
					expect(incremental).toEqual(await rollup.allFigures());
					for (const f of incremental) figures.add(f.period.startsWith('due:') ? 'due:' : f.metric);
					await read();
				}),
				{
					numRuns: 30,
					examples: [
						// Every kind of write and signal, a late visit, a frequency change each way.
						[
							[
								{
									days: 0,
									hours: 0,
									job: false,
									ops: [
										{ kind: 'household', grid: 0, tags: [] },
										{ kind: 'resident', household: 0, tags: [0] },
										{ kind: 'household', grid: 2, tags: [3] },
										{ kind: 'resident', household: 1, tags: [] },
										{ kind: 'household', grid: 1, tags: [] },
										{ kind: 'household', grid: 0, tags: [] },
										{ kind: 'resident', household: 3, tags: [] }
									]
								},
								{
									days: 3,
									hours: 2,
									job: true,
									ops: [
										{ kind: 'visit', household: 0, back: 1, outcome: 0, abnormal: true },
										{ kind: 'checkin', resident: 1, back: 0, status: 1 },
										{ kind: 'checkin', resident: 0, back: 2, status: 2 },
										{ kind: 'checkin', resident: 2, back: 0, status: 2 },
										{ kind: 'incident', household: 2, help: true },
										{ kind: 'incident', household: 1, help: false },
										{ kind: 'visit', household: 1, back: 0, outcome: 1, abnormal: false }
									]
								},
								{
									days: 9,
									hours: 0,
									job: false,
									ops: [
										{ kind: 'recategorize', incident: 0 },
										{ kind: 'recategorize', incident: 1 },
										{ kind: 'householdTags', household: 2, tags: [1] },
										{ kind: 'residentTags', resident: 1, tags: [0] },
										{ kind: 'visit', household: 0, back: 8, outcome: 0, abnormal: false },
										{ kind: 'frequency', community: 0, tag: 0, days: 3, api: true },
										{ kind: 'frequency', community: 1, tag: 5, days: 20, api: false }
									]
								},
								{
									days: 20,
									hours: 1,
									job: true,
									ops: [
										{ kind: 'deleteResident', resident: 0 },
										{ kind: 'deleteHousehold', household: 1 },
										{ kind: 'visit', household: 0, back: 0, outcome: 0, abnormal: false }
									]
								}
							]
						]
					]
				}
			);
			expect([...reached].sort()).toEqual(
				expect.arrayContaining([
					'checkins:insert',
					'households:delete',
					'households:update',
					'incidents:insert',
					'incidents:update',
					'residents:delete',
					'residents:update',
					'settings:api',
					'settings:direct',
					'visits:insert'
				])
			);
			// Every signal and a tier made some household due.
			expect([...reasons]).toEqual(
				expect.arrayContaining(['abnormal', 'need_help', 'help_request', 'unwell', 'default'])
			);
			expect([...figures]).toEqual(expect.arrayContaining(['visitsDue', 'visitsOverdue', 'due:']));
		}, 240_000);
	});
}

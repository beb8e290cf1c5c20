// Roll-up benchmark (`npm run bench -- --only rollup`): province 45's real division tree
// (14 cities, 111 counties, 1,284 streets, 16,681 communities, imported by the
// import-divisions code path) with 3 synthetic grids per community, households written in bulk
// with SQL, figures built by the recompute path; then, through the real HTTP server:
//   - GET /rollup/<node> latency at the province, a city, a county and a community,
//   - push ingest of 500-visit batches with roll-up maintenance on vs off (interleaved),
//   - freshness: time from a push's acknowledgement to the province figure showing it;
// and, side by side, with check templates (docs/check-templates.md, "Figures"): two province
// rounds over the same days, one without a template and one asking a 5-question template whose
// answers every visit of today carries, read at the same nodes (GET /rollup/<node>?round=), and
// push ingest of visits without answers vs visits answering the template, maintenance on vs off;
// and with care tiers (docs/care-tiers.md): the same reads once every bulk household has a due
// day (spread over today ± DUE_SPREAD_DAYS, so visitsDue, visitsOverdue and "due:<day>" rows
// exist at every node), push ingest with the households' due days kept vs not (the write path's
// `care: false`), and the day's first job run (freezeYesterday, which moves the due figures a
// day on) at the bench's size, timed over successive days.
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { loadConfig } from '../../server/config';
import { importDivisions } from '../../server/divisions/import';
import { startServer } from '../../server/serve';
import { dayInZone } from '../../src/lib/domain/day';
import { SHIPPED_TEMPLATES } from '../../src/lib/shared/templates';
import { addDays, startOfDayInZone } from '../../src/lib/domain/day';
import { applyPushBatch } from '../../server/sync/push';
import type { Mutation } from '../../src/lib/shared/schemas';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { now, progress, round, summarize, type Summary } from './common';
import { DIALECT_LABEL, login, openBenchDb, type BenchDb, type Dialect } from './gridcare';
import {
	batches,
	makeHouseholds,
	makeVisits,
	seedHouseholds,
	type BenchHousehold,
	type VisitMutation
} from './visits';

export interface RollupBenchOptions {
	households: number;
	requests: number;
	ingestBatches: number;
	batchSize: number;
	freshnessSamples: number;
}

export interface RollupResult {
	dialect: Dialect;
	label: string;
	households: number;
	grids: number;
	communities: number;
	visitsToday: number;
	/** Seconds: division import, bulk households + visits, recompute. */
	setupSeconds: { divisions: number; bulk: number; recompute: number };
	figures: number;
	reads: { node: string; code: string; ms: Summary }[];
	/** 1-minute load average when the reads started (other work on the machine). */
	loadAvgAtReads: number;
	ingest: {
		batchSize: number;
		batches: number;
		onMs: Summary;
		offMs: Summary;
		onPerSec: number;
		offPerSec: number;
		/** on-median / off-median − 1: the cost of roll-up maintenance. */
		overhead: number;
	};
	freshness: { ms: Summary; visibleOnFirstRead: number; samples: number };
	/** The same reads and ingest for a round without a template and one with (5 questions). */
	templates: {
		questions: number;
		reads: { node: string; code: string; plainMs: Summary; templateMs: Summary }[];
		ingest: {
			plain: IngestFigures;
			template: IngestFigures;
			/** template on-median / plain on-median − 1: what answers cost a push, all in. */
			templateCost: number;
		};
	};
	/** Care tiers: every bulk household due within ±DUE_SPREAD_DAYS of today. */
	care: {
		spreadDays: number;
		/** Seconds: the bulk due-day update, the recompute that counts them. */
		setupSeconds: { update: number; recompute: number };
		/** Households due today or earlier, and before today (SQL count, equal to GET /rollup/45). */
		due: number;
		overdue: number;
		/** The same nodes read before the due days were set (`reads`) and after. */
		reads: { node: string; code: string; withoutMs: Summary; withMs: Summary }[];
		/** Push ingest in process (applyPushBatch), due days kept vs not, batches interleaved. */
		ingest: IngestFigures;
		/** The day's first job run: freezeYesterday on successive days, ms each. */
		freeze: { runs: number[]; ms: Summary };
	};
}

interface IngestFigures {
	onMs: Summary;
	offMs: Summary;
	/** on-median / off-median − 1: the cost of roll-up maintenance. */
	overhead: number;
}

/** The template the template round asks: every one of its 5 questions has an abnormal rule. */
const TEMPLATE = SHIPPED_TEMPLATES[4];
const ROUNDS = { plain: 'bench-round-plain', template: 'bench-round-template' } as const;
/** Both rounds span today and the days the ingest visits fall on. */
const ROUND_SPAN = { start: '2026-01-01', due: '2099-12-31' };

/** A stored answer list of the template for a visit of bulk household `id` (SQL text). */
function answersSql(id: string, abnormal: boolean): string {
	const health = abnormal ? '较差' : '良好';
	const answer = (key: string, value: unknown, flag: boolean, resident?: string) =>
		`{${resident ? `"residentId":"r' || ${resident} || '",` : ''}"key":"${key}","value":${JSON.stringify(value)},"abnormal":${flag}}`;
	return `'[${[
		answer('health', health, abnormal, id),
		answer('heating', true, false),
		answer('warm_enough', true, false),
		answer('co_risk', false, false),
		answer('family_contact', true, false)
	].join(',')}]'`;
}

/** Visits answering the template: each member's health, the household's four questions. */
function withAnswers(visits: VisitMutation[], homes: BenchHousehold[], seed: number) {
	const members = new Map(homes.map((h) => [h.id, h.residents.map((r) => r.id)]));
	let n = seed;
	const chance = () => ((n = (n * 1_103_515_245 + 12_345) % 2_147_483_648) % 1000) / 1000;
	return visits.map((v) => ({
		...v,
		fields: {
			...v.fields,
			templateId: TEMPLATE.id,
			templateVersion: TEMPLATE.version,
			answers: [
				...members.get(v.fields.householdId)!.map((residentId) => ({
					residentId,
					key: 'health',
					value: chance() < 0.03 ? '较差' : '良好'
				})),
				{ key: 'heating', value: chance() >= 0.02 },
				{ key: 'warm_enough', value: true },
				{ key: 'co_risk', value: chance() < 0.01 },
				{ key: 'family_contact', value: true }
			]
		}
	}));
}

/** Bulk households are due on a day spread evenly over today ± this many days. */
const DUE_SPREAD_DAYS = 120;
/** Runs of the day's first job, on successive days. */
const FREEZE_RUNS = 5;

/** Give every bulk household a due day (its tier `default`) over today ± DUE_SPREAD_DAYS. */
async function bulkDueDays(db: BenchDb, today: string): Promise<{ due: number; overdue: number }> {
	const span = 2 * DUE_SPREAD_DAYS + 1;
	if (db.dialect === 'sqlite') {
		const client = new Database(db.file!);
		try {
			client.exec(`update households set care_tag = 'default', due_reason = 'default',
				due_on = date('${today}', ((abs(random()) % ${span}) - ${DUE_SPREAD_DAYS}) || ' days')
				where id like 'bench-%'`);
			const count = (where: string) =>
				(
					client
						.prepare(`select count(*) as n from households where deleted = 0 and due_on ${where}`)
						.get(today) as { n: number }
				).n;
			return { due: count('<= ?'), overdue: count('< ?') };
		} finally {
			client.close();
		}
	}
	const sql = postgres(db.url, { max: 1, onnotice: () => {} });
	try {
		await sql.unsafe(`update households set care_tag = 'default', due_reason = 'default',
			due_on = to_char(date '${today}' + (floor(random() * ${span})::int - ${DUE_SPREAD_DAYS}), 'YYYY-MM-DD')
			where id like 'bench-%'`);
		await sql.unsafe('analyze households');
		const [row] = await sql<{ due: string; overdue: string }[]>`select
			count(*) filter (where due_on <= ${today}) as due,
			count(*) filter (where due_on < ${today}) as overdue
			from households where not deleted`;
		return { due: Number(row.due), overdue: Number(row.overdue) };
	} finally {
		await sql.end({ timeout: 5 });
	}
}

const READ_NODES: { node: string; code: string }[] = [
	{ node: 'province', code: '45' },
	{ node: 'city', code: '4501' },
	{ node: 'county', code: '450102' },
	{ node: 'community', code: '450102001003' }
];

/** Grids and households in bulk, with the database's own row generators. */
async function bulkFill(db: BenchDb, households: number, day: string): Promise<number> {
	const gridsPerCommunity = 3;
	if (db.dialect === 'sqlite') {
		const client = new Database(db.file!);
		client.pragma('journal_mode = WAL');
		try {
			client.exec('BEGIN');
			client.exec(`insert into grids (id, community_code, name, created_at)
				select lower(hex(randomblob(16))), d.code, '第' || n.k || '网格', 0
				from divisions d, (select 1 as k union all select 2 union all select 3) n
				where d.level = 'community' and d.code like '45%'`);
			const grids = (client.prepare('select count(*) as n from grids').get() as { n: number }).n;
			const per = Math.max(1, Math.round(households / grids));
			client.exec(`insert into households (id, grid_id, address, tags, member_count, version, field_meta, deleted, created_at, updated_at)
				with recursive s(k) as (select 1 union all select k + 1 from s where k < ${per})
				select printf('bench-%08d-%05d', g.rowid, s.k), g.id, '幸福路' || s.k || '号', '[]', 0, 0, '{}', 0, 0, 0
				from grids g cross join s`);
			// One household in twenty visited today, answering the template (one in fifty abnormal).
			const ms = Date.now();
			client.exec(`insert into visits (id, household_id, grid_id, worker_id, visited_at, day, outcome, checks, needs, note, abnormal, supersedes, created_at, template_id, template_version, answers)
				select 'v' || h.id, h.id, h.grid_id, 'bench', ${ms}, '${day}', 'visited', '[]', '[]', null, h.abn, null, ${ms}, '${TEMPLATE.id}', ${TEMPLATE.version},
					case when h.abn then ${answersSql('h.id', true)} else ${answersSql('h.id', false)} end
				from (select id, grid_id, abs(random()) % 50 = 0 as abn from households where abs(random()) % 20 = 0) h order by h.id`);
			for (const [id, template] of [
				[ROUNDS.plain, null],
				[ROUNDS.template, TEMPLATE]
			] as const)
				client
					.prepare(
						`insert into rounds (id, division_code, name, start_date, due_date, created_by, created_at, template_id, template_version) values (?, '45', ?, ?, ?, 'bench', ?, ?, ?)`
					)
					.run(
						id,
						id,
						ROUND_SPAN.start,
						ROUND_SPAN.due,
						ms,
						template?.id ?? null,
						template?.version ?? null
					);
			client.exec('COMMIT');
			return (client.prepare('select count(*) as n from visits').get() as { n: number }).n;
		} finally {
			client.close();
		}
	}
	const sql = postgres(db.url, { max: 1, onnotice: () => {} });
	try {
		await sql.unsafe(`insert into grids (id, community_code, name, created_at)
			select gen_random_uuid()::text, d.code, '第' || n.k || '网格', now()
			from divisions d, generate_series(1, ${gridsPerCommunity}) n(k)
			where d.level = 'community' and d.code like '45%'`);
		const [{ n: grids }] = await sql.unsafe<{ n: string }[]>('select count(*) as n from grids');
		const per = Math.max(1, Math.round(households / Number(grids)));
		await sql.unsafe(`insert into households (id, grid_id, address, tags, member_count, version, field_meta, deleted, created_at, updated_at)
			select 'bench-' || lpad(g.n::text, 8, '0') || '-' || lpad(s.k::text, 5, '0'), g.id, '幸福路' || s.k || '号', '[]', 0, 0, '{}', false, now(), now()
			from (select id, row_number() over (order by id) as n from grids) g, generate_series(1, ${per}) s(k)
			order by g.n, s.k`);
		await sql.unsafe(`insert into visits (id, household_id, grid_id, worker_id, visited_at, day, outcome, checks, needs, note, abnormal, supersedes, created_at, template_id, template_version, answers)
			select 'v' || h.id, h.id, h.grid_id, 'bench', now(), '${day}', 'visited', '[]', '[]', null, h.abn, null, now(), '${TEMPLATE.id}', ${TEMPLATE.version},
				(case when h.abn then ${answersSql('h.id', true)} else ${answersSql('h.id', false)} end)::jsonb
			from (select id, grid_id, random() < 0.02 as abn from households where random() < 0.05) h order by h.id`);
		for (const [id, template] of [
			[ROUNDS.plain, null],
			[ROUNDS.template, TEMPLATE]
		] as const)
			await sql`insert into rounds (id, division_code, name, start_date, due_date, created_by, created_at, template_id, template_version)
				values (${id}, '45', ${id}, ${ROUND_SPAN.start}, ${ROUND_SPAN.due}, 'bench', now(), ${template?.id ?? null}, ${template?.version ?? null})`;
		await sql.unsafe('analyze');
		const [{ n }] = await sql.unsafe<{ n: string }[]>('select count(*) as n from visits');
		return Number(n);
	} finally {
		await sql.end({ timeout: 5 });
	}
}

async function serve(db: BenchDb, rollup: boolean) {
	const running = await startServer(db.store, { ...loadConfig({}), port: 0, rollup });
	const { port } = running.server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}/api/v1`,
		close: async () => {
			await running.shutdown({ closeStore: false });
		}
	};
}

export async function benchRollup(
	dialect: Dialect,
	options: RollupBenchOptions
): Promise<RollupResult | null> {
	const tag = `rollup/${dialect}`;
	progress(`${tag}: preparing database`);
	const db = await openBenchDb(dialect);
	if (!db) {
		progress(`${tag}: PostgreSQL not reachable, skipped`);
		return null;
	}
	const timeZone = loadConfig({}).timeZone;
	const today = dayInZone(new Date(), timeZone);
	try {
		let t0 = now();
		const counts = await importDivisions(db.store, '45');
		const divisionsSeconds = (now() - t0) / 1000;
		progress(`${tag}: divisions ${JSON.stringify(counts)} in ${round(divisionsSeconds, 1)} s`);
		t0 = now();
		const visitsToday = await bulkFill(db, options.households, today);
		const bulkSeconds = (now() - t0) / 1000;
		const grids = (await db.store.countDivisions('45')).community * 3 + 3;
		const households = await householdCount(db);
		progress(
			`${tag}: ${households} households, ${visitsToday} visits in ${round(bulkSeconds, 1)} s`
		);
		t0 = now();
		const summary = await db.store.rollup().recompute();
		const recomputeSeconds = (now() - t0) / 1000;
		progress(`${tag}: recompute ${summary.figures} figures in ${round(recomputeSeconds, 1)} s`);

		const on = await serve(db, true);
		const off = await serve(db, false);
		try {
			const officer = await login(on.baseUrl, 'province', 'bench-desktop');
			const get = async (path: string) => {
				const res = await fetch(`${on.baseUrl}${path}`, {
					headers: { authorization: `Bearer ${officer}` }
				});
				if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}`);
				return (await res.json()) as { metrics: Record<string, number>; children: unknown[] };
			};
			const reads: RollupResult['reads'] = [];
			const loadAvgAtReads = round(loadavg()[0], 2);
			for (const { node, code } of READ_NODES) {
				for (let i = 0; i < 20; i++) await get(`/rollup/${code}`);
				const ms: number[] = [];
				for (let i = 0; i < options.requests; i++) {
					const s = now();
					await get(`/rollup/${code}`);
					ms.push(now() - s);
				}
				reads.push({ node, code, ms: summarize(ms) });
				progress(
					`${tag}: GET /rollup/${code} p50 ${summarize(ms).median} ms, p95 ${summarize(ms).p95} ms`
				);
			}
			// The same nodes for the round without a template and the one with (requests alternate).
			const roundReads: RollupResult['templates']['reads'] = [];
			for (const { node, code } of READ_NODES) {
				const paths = {
					plain: `/rollup/${code}?round=${ROUNDS.plain}`,
					template: `/rollup/${code}?round=${ROUNDS.template}`
				};
				const answer = (await get(paths.template)) as { questions?: Record<string, unknown> };
				if (Object.keys(answer.questions ?? {}).length !== TEMPLATE.questions.length)
					throw new Error(`GET ${paths.template}: not the template's questions`);
				for (let i = 0; i < 20; i++) for (const path of Object.values(paths)) await get(path);
				const ms = { plain: [] as number[], template: [] as number[] };
				for (let i = 0; i < options.requests; i++)
					for (const which of i % 2
						? (['template', 'plain'] as const)
						: (['plain', 'template'] as const)) {
						const s = now();
						await get(paths[which]);
						ms[which].push(now() - s);
					}
				const [plainMs, templateMs] = [summarize(ms.plain), summarize(ms.template)];
				roundReads.push({ node, code, plainMs, templateMs });
				progress(
					`${tag}: GET /rollup/${code}?round= p95 ${plainMs.p95} ms without template, ${templateMs.p95} ms with`
				);
			}

			// Care tiers: the same nodes once every bulk household has a due day.
			t0 = now();
			const dueCounts = await bulkDueDays(db, today);
			const dueUpdateSeconds = (now() - t0) / 1000;
			t0 = now();
			await db.store.rollup().recompute();
			const dueRecomputeSeconds = (now() - t0) / 1000;
			progress(
				`${tag}: due days set in ${round(dueUpdateSeconds, 1)} s, recompute ${round(dueRecomputeSeconds, 1)} s; ${dueCounts.due} due, ${dueCounts.overdue} overdue`
			);
			// The first request after the long recompute: the kept-alive connection may have gone.
			const province = (await get('/rollup/45').catch(() => get('/rollup/45'))).metrics;
			if (province.visitsDue !== dueCounts.due || province.visitsOverdue !== dueCounts.overdue)
				throw new Error(
					`GET /rollup/45: visitsDue ${province.visitsDue}, visitsOverdue ${province.visitsOverdue}; the households say ${dueCounts.due}, ${dueCounts.overdue}`
				);
			const careReads: RollupResult['care']['reads'] = [];
			for (const [k, { node, code }] of READ_NODES.entries()) {
				for (let i = 0; i < 20; i++) await get(`/rollup/${code}`);
				const ms: number[] = [];
				for (let i = 0; i < options.requests; i++) {
					const s = now();
					await get(`/rollup/${code}`);
					ms.push(now() - s);
				}
				careReads.push({ node, code, withoutMs: reads[k].ms, withMs: summarize(ms) });
				progress(
					`${tag}: GET /rollup/${code} with due figures p50 ${summarize(ms).median} ms, p95 ${summarize(ms).p95} ms`
				);
			}

			// Ingest, roll-up on vs off, batches interleaved so machine noise falls on both alike.
			const homes = makeHouseholds(400);
			await seedHouseholds(db.store, db.fixture.grids.a1, homes);
			const visits = makeVisits(homes, 2 * (options.ingestBatches + 2) * options.batchSize, 7);
			const parts = batches(visits, options.batchSize);
			// The same households visited again, answering the template (other days, other ids; a
			// seed whose days are past: the write path refuses visits a day ahead of the clock).
			const answered = withAnswers(
				makeVisits(homes, 2 * (options.ingestBatches + 2) * options.batchSize, 5),
				homes,
				5
			);
			const answeredParts = batches(answered, options.batchSize);
			const tokens = {
				on: await login(on.baseUrl, 'worker_a1', 'bench-tablet-on'),
				off: await login(off.baseUrl, 'worker_a1', 'bench-tablet-off')
			};
			const push = async (which: 'on' | 'off', mutations: unknown[]) => {
				const base = which === 'on' ? on.baseUrl : off.baseUrl;
				const body = JSON.stringify({ deviceId: `bench-tablet-${which}`, mutations });
				const s = now();
				const res = await fetch(`${base}/sync/push`, {
					method: 'POST',
					headers: { authorization: `Bearer ${tokens[which]}`, 'content-type': 'application/json' },
					body
				});
				const answer = (await res.json()) as { results?: { status: string; reason?: string }[] };
				const ms = now() - s;
				const refused = answer.results?.find((r) => r.status !== 'applied');
				if (res.status !== 200 || refused)
					throw new Error(
						`push: HTTP ${res.status} ${JSON.stringify(refused ?? answer).slice(0, 300)}`
					);
				return ms;
			};
			const onMs: number[] = [];
			const offMs: number[] = [];
			const answeredOnMs: number[] = [];
			const answeredOffMs: number[] = [];
			for (let i = 0; i < parts.length; i += 2) {
				const warm = i < 4;
				const order: ('on' | 'off')[] = (i / 2) % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
				// Without answers, then with (the other way round every other step).
				for (const withTemplate of (i / 2) % 4 < 2 ? [false, true] : [true, false])
					for (const [k, which] of order.entries()) {
						const ms = await push(which, (withTemplate ? answeredParts : parts)[i + k]);
						if (warm) continue;
						if (withTemplate) (which === 'on' ? answeredOnMs : answeredOffMs).push(ms);
						else (which === 'on' ? onMs : offMs).push(ms);
					}
			}
			const onS = summarize(onMs);
			const offS = summarize(offMs);
			progress(`${tag}: ingest median on ${onS.median} ms, off ${offS.median} ms per batch`);
			const answeredOn = summarize(answeredOnMs);
			const answeredOff = summarize(answeredOffMs);
			progress(
				`${tag}: ingest with answers median on ${answeredOn.median} ms, off ${answeredOff.median} ms per batch`
			);

			// Freshness: push one visit, then read the province until it shows.
			const fresh = makeVisits(homes, options.freshnessSamples, 3);
			const freshMs: number[] = [];
			let firstRead = 0;
			for (const visit of fresh) {
				const path = `/rollup/45?date=${dayInZone(new Date(visit.fields.visitedAt), timeZone)}`;
				const before = (await get(path)).metrics.visits;
				await push('on', [visit]);
				const acked = now();
				for (let reads = 1; ; reads++) {
					const after = (await get(path)).metrics.visits;
					if (after === before + 1) {
						freshMs.push(now() - acked);
						if (reads === 1) firstRead++;
						break;
					}
					if (reads > 1000) throw new Error('freshness: the province never showed the visit');
				}
			}
			// Care tiers' ingest cost: the write path in process, due days kept vs not, each over its
			// own 400 households (a batch without care would leave the other's last visits behind);
			// after the HTTP work, whose kept-alive connections would not outlast it.
			const careHomes = { on: makeHouseholds(400, 11), off: makeHouseholds(400, 12) };
			await seedHouseholds(db.store, db.fixture.grids.a1, careHomes.on);
			await seedHouseholds(db.store, db.fixture.grids.a1, careHomes.off);
			const careParts = {
				on: batches(
					makeVisits(careHomes.on, (options.ingestBatches + 2) * options.batchSize, 6),
					options.batchSize
				),
				// The same days over the other households, under ids of their own.
				off: batches(
					makeVisits(careHomes.off, (options.ingestBatches + 2) * options.batchSize, 6).map(
						(v) => ({ ...v, id: crypto.randomUUID(), rowId: crypto.randomUUID() })
					),
					options.batchSize
				)
			};
			const careMs = { on: [] as number[], off: [] as number[] };
			for (let i = 0; i < careParts.on.length; i++)
				for (const which of i % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
					const s = now();
					const results = await applyPushBatch(
						db.store,
						{
							user: db.fixture.users.worker_a1,
							deviceId: `bench-care-${which}`,
							timeZone,
							now: new Date(),
							care: which === 'on'
						},
						// The shape the push route hands over once the body is parsed.
						careParts[which][i] as unknown as Mutation[]
					);
					const ms = now() - s;
					const refused = results.find((r) => r.status !== 'applied');
					if (refused) throw new Error(`care ingest: ${JSON.stringify(refused).slice(0, 300)}`);
					if (i >= 2) careMs[which].push(ms);
				}
			const careIngest: IngestFigures = {
				onMs: summarize(careMs.on),
				offMs: summarize(careMs.off),
				overhead: round(summarize(careMs.on).median / summarize(careMs.off).median - 1, 3)
			};
			progress(
				`${tag}: ingest with care tiers median ${careIngest.onMs.median} ms, without ${careIngest.offMs.median} ms per batch`
			);

			// Recompute agrees with what maintenance kept through all of it.
			const rollup = db.store.rollup();
			const kept = await rollup.allFigures();

			// The day's first job run on successive days after today, just past midnight: each
			// freezes its yesterday and moves the due figures a day on.
			const freezeRuns: number[] = [];
			for (let k = 1; k <= FREEZE_RUNS; k++) {
				const at = new Date(startOfDayInZone(addDays(today, k), timeZone).getTime() + 60_000);
				const s = now();
				const frozen = await rollup.freezeYesterday({ now: at, timeZone });
				freezeRuns.push(round(now() - s, 1));
				if (frozen !== addDays(today, k - 1))
					throw new Error(`freezeYesterday at ${at.toISOString()}: froze ${frozen}`);
			}
			progress(`${tag}: the day's first job run ${freezeRuns.join(', ')} ms`);
			return {
				dialect,
				label: DIALECT_LABEL[dialect],
				households,
				grids,
				communities: (await db.store.countDivisions('45')).community,
				visitsToday,
				setupSeconds: {
					divisions: round(divisionsSeconds, 1),
					bulk: round(bulkSeconds, 1),
					recompute: round(recomputeSeconds, 1)
				},
				figures: kept.length,
				reads,
				loadAvgAtReads,
				ingest: {
					batchSize: options.batchSize,
					batches: onMs.length,
					onMs: onS,
					offMs: offS,
					onPerSec: round((options.batchSize / onS.median) * 1000),
					offPerSec: round((options.batchSize / offS.median) * 1000),
					overhead: round(onS.median / offS.median - 1, 3)
				},
				freshness: {
					ms: summarize(freshMs),
					visibleOnFirstRead: firstRead,
					samples: freshMs.length
				},
				templates: {
					questions: TEMPLATE.questions.length,
					reads: roundReads,
					ingest: {
						plain: { onMs: onS, offMs: offS, overhead: round(onS.median / offS.median - 1, 3) },
						template: {
							onMs: answeredOn,
							offMs: answeredOff,
							overhead: round(answeredOn.median / answeredOff.median - 1, 3)
						},
						templateCost: round(answeredOn.median / onS.median - 1, 3)
					}
				},
				care: {
					spreadDays: DUE_SPREAD_DAYS,
					setupSeconds: {
						update: round(dueUpdateSeconds, 1),
						recompute: round(dueRecomputeSeconds, 1)
					},
					due: dueCounts.due,
					overdue: dueCounts.overdue,
					reads: careReads,
					ingest: careIngest,
					freeze: { runs: freezeRuns, ms: summarize(freezeRuns) }
				}
			};
		} finally {
			await on.close();
			await off.close();
		}
	} finally {
		await db.dispose();
	}
}

async function householdCount(db: BenchDb): Promise<number> {
	if (db.dialect === 'sqlite') {
		const client = new Database(db.file!, { readonly: true });
		try {
			return (client.prepare('select count(*) as n from households').get() as { n: number }).n;
		} finally {
			client.close();
		}
	}
	const sql = postgres(db.url, { max: 1 });
	try {
		const [{ n }] = await sql.unsafe<{ n: string }[]>('select count(*) as n from households');
		return Number(n);
	} finally {
		await sql.end({ timeout: 5 });
	}
}

export function renderRollupMarkdown(report: {
	date: string;
	command: string;
	machine: object;
	results: RollupResult[];
	notes: string[];
}): string {
	const lines: string[] = [
		'# Roll-up benchmark',
		'',
		`${report.date} — \`${report.command}\``,
		'',
		'## Machine',
		'',
		...Object.entries(report.machine).map(([k, v]) => `- ${k}: ${String(v)}`),
		'',
		'## Data and setup',
		'',
		'| database | households | grids | communities | visits today | divisions (s) | bulk households + visits (s) | recompute (s) | figures | load avg at reads |',
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
		...report.results.map(
			(r) =>
				`| ${r.label} | ${r.households.toLocaleString('en')} | ${r.grids.toLocaleString('en')} | ${r.communities.toLocaleString('en')} | ${r.visitsToday.toLocaleString('en')} | ${r.setupSeconds.divisions} | ${r.setupSeconds.bulk} | ${r.setupSeconds.recompute} | ${r.figures.toLocaleString('en')} | ${r.loadAvgAtReads} |`
		),
		'',
		'## GET /rollup/:code through HTTP (target p95 ≤ 20 ms)',
		'',
		'| database | households | node | code | n | p50 ms | p95 ms | max ms |',
		'|---|---:|---|---|---:|---:|---:|---:|',
		...report.results.flatMap((r) =>
			r.reads.map(
				(x) =>
					`| ${r.label} | ${r.households.toLocaleString('en')} | ${x.node} | ${x.code} | ${x.ms.n} | ${x.ms.median} | ${x.ms.p95} | ${x.ms.max} |`
			)
		),
		'',
		'## Push ingest, roll-up maintenance on vs off (batches interleaved; limit: +30 %)',
		'',
		'| database | households | batch | batches each | on: median ms | off: median ms | on visits/s | off visits/s | overhead |',
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|',
		...report.results.map(
			(r) =>
				`| ${r.label} | ${r.households.toLocaleString('en')} | ${r.ingest.batchSize} | ${r.ingest.batches} | ${r.ingest.onMs.median} | ${r.ingest.offMs.median} | ${r.ingest.onPerSec} | ${r.ingest.offPerSec} | ${round(r.ingest.overhead * 100, 1)} % |`
		),
		'',
		'## Check templates: GET /rollup/:code?round= without and with a template (p95 ms)',
		'',
		`Two province rounds over the same days; the template round asks ${report.results[0]?.templates.questions ?? 5} questions, every one counted, and every visit of today answers it (requests alternate between the two).`,
		'',
		'| database | households | node | code | n | without template p50 | without template p95 | with template p50 | with template p95 |',
		'|---|---:|---|---|---:|---:|---:|---:|---:|',
		...report.results.flatMap((r) =>
			r.templates.reads.map(
				(x) =>
					`| ${r.label} | ${r.households.toLocaleString('en')} | ${x.node} | ${x.code} | ${x.templateMs.n} | ${x.plainMs.median} | ${x.plainMs.p95} | ${x.templateMs.median} | ${x.templateMs.p95} |`
			)
		),
		'',
		'## Check templates: push ingest without and with answers (median ms per 500-visit batch)',
		'',
		'| database | households | without: on | without: off | without: overhead | with answers: on | with answers: off | with answers: overhead | with vs without (on) |',
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|',
		...report.results.map((r) => {
			const { plain, template, templateCost } = r.templates.ingest;
			return `| ${r.label} | ${r.households.toLocaleString('en')} | ${plain.onMs.median} | ${plain.offMs.median} | ${round(plain.overhead * 100, 1)} % | ${template.onMs.median} | ${template.offMs.median} | ${round(template.overhead * 100, 1)} % | ${round(templateCost * 100, 1)} % |`;
		}),
		'',
		'## Care tiers: GET /rollup/:code without and with due figures (target p95 ≤ 20 ms)',
		'',
		'Without: the reads above, before any household has a due day. With: every bulk household due on a day spread over today ± 120 days (its tier `default`), figures rebuilt by recompute, so visitsDue, visitsOverdue and the "due:<day>" rows are stored at every node.',
		'',
		'| database | households | due | overdue | due days set (s) | recompute (s) | node | code | without p50 | without p95 | with p50 | with p95 |',
		'|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|',
		...report.results.flatMap((r) =>
			(r.care?.reads ?? []).map(
				(x) =>
					`| ${r.label} | ${r.households.toLocaleString('en')} | ${r.care.due.toLocaleString('en')} | ${r.care.overdue.toLocaleString('en')} | ${r.care.setupSeconds.update} | ${r.care.setupSeconds.recompute} | ${x.node} | ${x.code} | ${x.withoutMs.median} | ${x.withoutMs.p95} | ${x.withMs.median} | ${x.withMs.p95} |`
			)
		),
		'',
		'## Care tiers: push ingest with due days kept vs not (median ms per 500-visit batch, in process)',
		'',
		'| database | households | batches each | care on: median | care off: median | care on: p95 | care off: p95 | overhead |',
		'|---|---:|---:|---:|---:|---:|---:|---:|',
		...report.results
			.filter((r) => r.care)
			.map(
				(r) =>
					`| ${r.label} | ${r.households.toLocaleString('en')} | ${r.care.ingest.onMs.n} | ${r.care.ingest.onMs.median} | ${r.care.ingest.offMs.median} | ${r.care.ingest.onMs.p95} | ${r.care.ingest.offMs.p95} | ${round(r.care.ingest.overhead * 100, 1)} % |`
			),
		'',
		"## Care tiers: the day's first job run (freezeYesterday, moving the due figures a day on)",
		'',
		'| database | households | runs | ms each | median ms |',
		'|---|---:|---:|---|---:|',
		...report.results
			.filter((r) => r.care)
			.map(
				(r) =>
					`| ${r.label} | ${r.households.toLocaleString('en')} | ${r.care.freeze.runs.length} | ${r.care.freeze.runs.join(', ')} | ${r.care.freeze.ms.median} |`
			),
		'',
		'## Freshness: push acknowledged → GET /rollup/45 shows it',
		'',
		'| database | households | samples | visible on the first read | p50 ms | p95 ms |',
		'|---|---:|---:|---:|---:|---:|',
		...report.results.map(
			(r) =>
				`| ${r.label} | ${r.households.toLocaleString('en')} | ${r.freshness.samples} | ${r.freshness.visibleOnFirstRead} | ${r.freshness.ms.median} | ${r.freshness.ms.p95} |`
		),
		'',
		'## Notes',
		'',
		...report.notes.map((n) => `- ${n}`),
		''
	];
	return lines.join('\n');
}

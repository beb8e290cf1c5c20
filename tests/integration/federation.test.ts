// The national federation (docs/scaling.md): two provinces' databases and a national one on a
// throwaway PostgreSQL cluster (the shared server allows no replication), joined by logical
// replication with `gridcare federation publish | subscribe`. The national server, in
// GRIDCARE_MODE=rollup-only, serves the nation (00), each province and any community with the
// figures each province serves itself, and nothing personal reaches its database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Metrics } from '../../src/lib/shared/metrics';
import type { ApiClient } from './api-client';
import {
	gridcare,
	measureLag,
	startFederation,
	until,
	type Federation,
	type Province
} from './federation-setup';

const uuid = () => crypto.randomUUID();
const COMMUNITY_A = '450102001003';
const COMMUNITY_11 = '110101001001';

interface Node {
	code: string;
	level: string;
	metrics: Metrics;
	children: { code: string; name: string; level: string; metrics: Metrics }[];
}

async function get<T>(client: ApiClient, path: string): Promise<T> {
	const res = await client.request(path);
	if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
	return (await res.json()) as T;
}

const household = (p: Province, address: string) => ({
	id: uuid(),
	table: 'households',
	op: 'insert',
	rowId: uuid(),
	fields: { gridId: p.gridId, address }
});

async function applied(p: Province, mutations: unknown[]): Promise<void> {
	const results = await p.worker.push(mutations);
	expect(results.map((r) => r.reason ?? r.status)).toEqual(mutations.map(() => 'applied'));
}

/** A household, two residents (one checking in daily), a visit and an incident long overdue. */
async function someWork(p: Province, n: number): Promise<void> {
	for (let i = 0; i < n; i++) {
		const h = household(p, `幸福路${i + 1}号`);
		await applied(p, [
			h,
			{
				id: uuid(),
				table: 'residents',
				op: 'insert',
				rowId: uuid(),
				fields: { householdId: h.rowId, name: '居民甲', dailyCheckIn: true }
			},
			{
				id: uuid(),
				table: 'visits',
				op: 'insert',
				rowId: uuid(),
				fields: {
					householdId: h.rowId,
					visitedAt: new Date().toISOString(),
					outcome: 'visited',
					checks: []
				}
			}
		]);
	}
	await applied(p, [
		{
			id: uuid(),
			table: 'incidents',
			op: 'insert',
			rowId: uuid(),
			fields: {
				gridId: p.gridId,
				category: 'safety',
				severity: 'urgent',
				description: '楼道堆物',
				status: 'reported'
			}
		}
	]);
	// Three hours on, the urgent incident (due in two) is overdue: the province's one-minute job
	// moves its overdue clock.
	await p.store.rollup().advanceOverdue(new Date(Date.now() + 3 * 3600_000));
}

// Null (skipped) only where no throwaway cluster can be made; in CI that throws (pg-cluster.ts).
const fed: Federation | null = await startFederation(async ([p45, p11]) => {
	// Before the subscriptions exist: these figures reach the nation by their first copy.
	await someWork(p45, 3);
	await someWork(p11, 2);
});

describe.skipIf(!fed)('the national federation by logical replication', () => {
	let f: Federation;
	let p45: Province;
	let p11: Province;

	beforeAll(() => {
		f = fed!;
		[p45, p11] = f.provinces;
	});
	afterAll(async () => fed?.stop());

	/** What a province serves itself for a node, and what the nation serves for it. */
	const both = async (p: Province, code: string) => ({
		own: await get<Node>(p.officer, `/rollup/${code}`),
		national: await get<Node>(f.nation, `/rollup/${code}`)
	});

	it("serves each province's and each community's figures as the province itself does", async () => {
		// The subscriptions' first copy: each read waits until the nation shows what the province has.
		for (const [p, codes] of [
			[p45, ['45', '4501', '450102', '450102001', COMMUNITY_A]],
			[p11, ['11', COMMUNITY_11]]
		] as const)
			for (const code of codes) {
				const { own } = await both(p, code);
				const national = await until(
					() => get<Node>(f.nation, `/rollup/${code}`),
					(n) => JSON.stringify(n.metrics) === JSON.stringify(own.metrics)
				);
				expect(national.metrics, code).toEqual(own.metrics);
				if (code.length < 12)
					expect(
						national.children.map((c) => [c.code, c.metrics]),
						code
					).toEqual(own.children.map((c) => [c.code, c.metrics]));
				// Grids stay in their province: the nation goes down to the community's counts.
				else expect(national.children).toEqual([]);
			}
		const own45 = (await both(p45, '45')).own.metrics;
		expect(own45).toMatchObject({ households: 3, visits: 3, openIncidents: 1 });
		// Overdue incidents come from the figure tables too (the incidents stay in the province).
		expect(own45.overdueIncidents).toBe(1);
		// A trend reads the frozen days of its own province.
		const trend = async (client: ApiClient) =>
			(await get<{ days: unknown[] }>(client, '/rollup/45/trend?days=3')).days;
		expect(await trend(f.nation)).toEqual(await trend(p45.officer));
	});

	it('serves the nation: its children are the provinces, its figures their sum', async () => {
		const nation = await get<Node>(f.nation, '/rollup/00');
		expect(nation).toMatchObject({ code: '00', level: 'nation' });
		expect(nation.children.map((c) => [c.code, c.level])).toEqual([
			['11', 'province'],
			['45', 'province']
		]);
		const [own11, own45] = [
			(await both(p11, '11')).own.metrics,
			(await both(p45, '45')).own.metrics
		];
		expect(nation.children.map((c) => c.metrics)).toEqual([own11, own45]);
		for (const key of Object.keys(nation.metrics) as (keyof Metrics)[])
			expect(nation.metrics[key], key).toBe(own11[key] + own45[key]);
		expect(nation.metrics.households).toBe(5);
		const trend = await get<{ days: { date: string; metrics: Metrics }[] }>(
			f.nation,
			'/rollup/00/trend?days=2'
		);
		expect(trend.days.at(-1)!.metrics.households).toBe(5);
		// A province's officer on the national server would see only their own; the nation is for
		// whoever may see everything.
		const province = await get<Node>(p45.officer, '/rollup/45');
		expect(province.code).toBe('45');
		expect((await p45.officer.request('/rollup/00')).status).toBe(403);
	});

	it('takes no push, pull or personal data, and runs no job', async () => {
		for (const [method, path] of [
			['POST', '/sync/push'],
			['GET', '/sync/pull'],
			['GET', '/incidents?code=45'],
			['GET', `/communities/${COMMUNITY_A}/grids`],
			['GET', '/kiosk/directory'],
			['GET', '/residents/export?code=45']
		]) {
			const res = await f.nation.request(path, {
				method,
				...(method === 'POST' ? { body: '{}' } : {})
			});
			expect(res.status, path).toBe(404);
			expect(((await res.json()) as { message: string }).message).toContain('roll-up-only');
		}
		const counts = await f.nationalSql<{ table: string; n: number }[]>`
			select 'households' as table, count(*)::int as n from households
			union all select 'residents', count(*)::int from residents
			union all select 'visits', count(*)::int from visits
			union all select 'incidents', count(*)::int from incidents
			union all select 'grids', count(*)::int from grids
			union all select 'job_runs', count(*)::int from job_runs`;
		expect(counts.filter((c) => c.n > 0)).toEqual([]);
		// Figures of divisions only: no grid's row (grid ids are not digits) left its province.
		const [{ grids }] = await f.nationalSql<{ grids: number }[]>`
			select count(*)::int as grids from rollup_figures where node_code !~ '^[0-9]+$'`;
		expect(grids).toBe(0);
		const status = await gridcare(f.nationalUrl, ['federation', 'status']);
		expect(status).toMatch(/^province_11\trunning\t/m);
		expect(status).toMatch(/^province_45\trunning\t/m);
	});

	it('refuses a second subscription to a province the nation already has', async () => {
		await expect(
			gridcare(f.nationalUrl, ['federation', 'subscribe', '--from', p45.url, '--name', 'again'])
		).rejects.toThrow(/already has figures of province 45/);
	});

	it('brings a push to the national figures within moments', async () => {
		await someWork(p11, 1);
		const own = (await both(p11, '11')).own.metrics;
		await until(
			() => get<Node>(f.nation, '/rollup/11'),
			(n) => n.metrics.households === own.households
		);
		const lags = await measureLag(f, p45, 15);
		const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
		const sent = median(lags.map((l) => l.sentToNational));
		const replication = median(lags.map((l) => l.commitToApplied));
		console.log(
			`push sent → national figure: median ${sent.toFixed(1)} ms; province commit → national apply: median ${replication.toFixed(2)} ms`
		);
		// Bounds far above what replication takes on one machine: a stuck subscription fails.
		expect(sent).toBeLessThan(5_000);
		expect(replication).toBeGreaterThan(0);
		expect(replication).toBeLessThan(5_000);
	});
});

// The national officer's screens in a real browser, against the built app served by a national
// server (GRIDCARE_MODE=rollup-only) whose figures arrive from two provinces by logical
// replication (tests/integration/federation-setup.ts): the national account signs in, lands on
// the drill-down at the nation, sees each province's counts, goes down to a community and sees
// its counts and no grids (grids stay in their province), with the trend at every level, and no
// screen asks the server for anything it does not serve.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import type { Metrics } from '../../src/lib/shared/metrics';
import type { ApiClient } from '../integration/api-client';
import {
	startFederation,
	until,
	type Federation,
	type Province
} from '../integration/federation-setup';
import { PASSWORD } from '../integration/fixtures';
import { screenshot, test } from './fixtures';
import { DivisionBrowserPage, LoginPage } from './pages';

const COMMUNITY = '兴宁社区居委会';
const COMMUNITY_CODE = '450102001003';
/** From the province down to the community, as the officer clicks through. */
const DOWN_TO_COMMUNITY = ['南宁市', '兴宁区', '民生街道', COMMUNITY];
/** More than a thousand households in province 45, so that counts show with a separator. */
const HOUSEHOLDS_45 = 1_050;
const HOUSEHOLDS_11 = 4;
const VISITED = 3;

const uuid = () => crypto.randomUUID();
const count = (n: number) => new Intl.NumberFormat('zh-CN').format(n);

/** `n` households in the province worker's grid, `visited` of them visited now. */
async function households(p: Province, n: number, visited: number): Promise<void> {
	const ids = Array.from({ length: n }, () => uuid());
	const mutations = [
		...ids.map((rowId, i) => ({
			id: uuid(),
			table: 'households',
			op: 'insert',
			rowId,
			fields: { gridId: p.gridId, address: `幸福路${i + 1}号` }
		})),
		...ids.slice(0, visited).map((householdId) => ({
			id: uuid(),
			table: 'visits',
			op: 'insert',
			rowId: uuid(),
			fields: { householdId, visitedAt: new Date().toISOString(), outcome: 'visited', checks: [] }
		}))
	];
	// The push takes at most 200 mutations at a time.
	for (let i = 0; i < mutations.length; i += 200) {
		const results = await p.worker.push(mutations.slice(i, i + 200));
		const refused = results.filter((r) => r.status !== 'applied');
		if (refused.length) throw new Error(`push: ${JSON.stringify(refused[0])}`);
	}
}

interface Node {
	code: string;
	level: string;
	metrics: Metrics;
	children: { code: string; name: string; metrics: Metrics }[];
}

async function rollup(client: ApiClient, code: string): Promise<Node> {
	const res = await client.request(`/rollup/${code}`);
	if (res.status !== 200) throw new Error(`/rollup/${code}: ${res.status} ${await res.text()}`);
	return (await res.json()) as Node;
}

/** Every failed request and console error of a browser context, for the end of the test. */
function watchFailures(context: BrowserContext): string[] {
	const failures: string[] = [];
	context.on('response', (response) => {
		if (response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
	});
	context.on('requestfailed', (request) =>
		failures.push(`failed ${request.url()}: ${request.failure()?.errorText}`)
	);
	context.on('page', (page) => {
		page.on('console', (message) => {
			if (message.type() === 'error') failures.push(`console: ${message.text()}`);
		});
		page.on('pageerror', (error) => failures.push(`page error: ${error.message}`));
	});
	return failures;
}

class NationalPage extends DivisionBrowserPage {
	/** A row of the children's table by its header (the name may carry an attention mark). */
	row(name: string) {
		return this.page
			.getByRole('row')
			.filter({ has: this.page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });
	}

	summary(name: string) {
		return this.page.getByLabel(new RegExp(name)).and(this.page.locator('dl'));
	}

	/** The table of a node's children, captioned by their level. */
	childrenTable(level: string) {
		return this.page.getByRole('table', { name: new RegExp(`^下辖${level}`) });
	}

	levelTag() {
		return this.page.locator('main .node-head .level');
	}

	levelLabel(): Promise<string> {
		return this.levelTag().innerText();
	}

	nodeCode() {
		return this.page.locator('main .node-head .code');
	}

	trend() {
		return this.page.getByRole('figure').getByRole('img');
	}

	/** Error panels (a failed request shows one with a retry button). */
	errors() {
		return this.page.locator('main').getByRole('alert');
	}

	async open(name: string): Promise<void> {
		await this.childLink(name).click();
		await this.nodeHeading(name).waitFor();
		await this.trend().waitFor();
	}
}

const fixtures = test.extend(
	'federation',
	{ scope: 'file' },
	async ({ build }, { onCleanup }): Promise<Federation | null> => {
		const fed = await startFederation(
			async ([p45, p11]) => {
				await households(p45, HOUSEHOLDS_45, VISITED);
				await households(p11, HOUSEHOLDS_11, 1);
			},
			{ appDir: build }
		);
		if (!fed) return null;
		onCleanup(() => fed.stop());
		// The subscriptions' first copy: the nation has every province's households.
		const own = await Promise.all(fed.provinces.map((p) => rollup(p.officer, p.code)));
		const total = own.reduce((sum, node) => sum + node.metrics.households, 0);
		await until(
			() => rollup(fed.nation, '00'),
			(nation) => nation.metrics.households === total,
			60_000,
			100
		);
		return fed;
	}
);

async function signIn(page: Page): Promise<NationalPage> {
	const login = new LoginPage(page);
	await login.open();
	await login.signIn('nation', PASSWORD);
	await page.waitForURL('**/supervise');
	const screen = new NationalPage(page);
	await screen.waitForHeading('辖区概况');
	return screen;
}

describe('the national server', () => {
	fixtures(
		'the national officer drills down from the nation to a community; nothing asks for what the server does not serve',
		async ({ browser, federation, skip }) => {
			// Null only where no throwaway PostgreSQL cluster can be made (pg-cluster.ts).
			if (!federation) return skip();
			const fed = federation;
			const context = await browser.newContext({
				baseURL: fed.national.url,
				locale: 'zh-CN',
				viewport: { width: 1280, height: 860 }
			});
			const failures = watchFailures(context);
			try {
				const page = await context.newPage();
				// The national account (an administrator, scope everything) lands on the drill-down.
				const screen = await signIn(page);
				const nation = await rollup(fed.nation, '00');
				expect(nation.metrics.households).toBeGreaterThanOrEqual(HOUSEHOLDS_45 + HOUSEHOLDS_11);
				await screen.nodeHeading('全国').waitFor();
				await screen.trend().waitFor();
				// Its name is its level's label, said once; the nation's 00 is no code a reader knows,
				// a province's is.
				expect(await screen.levelTag().count()).toBe(0);
				expect(await screen.nodeCode().count()).toBe(0);

				// The provinces with their counts, and the nation's total.
				await screen.childrenTable('省').waitFor();
				for (const child of nation.children) {
					const row = screen.row(child.name);
					await row.waitFor();
					const cells = await row.getByRole('cell').allInnerTexts();
					expect(cells[0], child.name).toBe(count(child.metrics.households));
					expect(cells[1], child.name).toContain(
						`${count(child.metrics.visitedHouseholds)} / ${count(child.metrics.households)} 户`
					);
				}
				expect(nation.children.map((c) => c.name).sort()).toEqual(['北京市', '广西壮族自治区']);
				const total = await screen.row('合计（全部省）').getByRole('cell').allInnerTexts();
				expect(total[0]).toBe(count(nation.metrics.households));
				// A thousand and more, in the Chinese way of writing it.
				expect(total[0]).toMatch(/^\d{1,3}(,\d{3})+$/);
				expect(await screen.summary('全国').innerText()).toContain(
					`${count(nation.metrics.visitedHouseholds)} / ${count(nation.metrics.households)} 户`
				);
				// No rosters or check templates to make on a server that keeps figures only.
				expect(await page.locator('main').innerText()).not.toMatch(/排查模板|导入名册/);
				expect(await screen.errors().count()).toBe(0);
				await screenshot(page, '70-national-nation');

				// Down to the province, then to the community.
				await screen.open('广西壮族自治区');
				expect(await screen.levelLabel()).toBe('省');
				expect(await screen.nodeCode().innerText()).toBe('45');
				await screen.childrenTable('市').waitFor();
				// The way back up starts at the nation.
				expect(await screen.breadcrumbTrail()).toEqual(['全国', '广西壮族自治区']);
				expect(await screen.errors().count()).toBe(0);
				await screenshot(page, '71-national-province');
				for (const name of DOWN_TO_COMMUNITY) await screen.open(name);
				expect(await screen.breadcrumbTrail()).toEqual([
					'全国',
					'广西壮族自治区',
					...DOWN_TO_COMMUNITY
				]);

				// The community's counts as the nation holds them; its grids stay in the province.
				const community = await rollup(fed.nation, COMMUNITY_CODE);
				expect(community.children).toEqual([]);
				expect(await screen.summary(COMMUNITY).innerText()).toContain(
					`${count(community.metrics.visitedHouseholds)} / ${count(community.metrics.households)} 户`
				);
				await page.getByText('此级别下没有下级区划或网格。').waitFor();
				expect(await screen.childrenTable('').count()).toBe(0);
				expect(await screen.errors().count()).toBe(0);
				await screenshot(page, '72-national-community');

				// Home is the drill-down: the app's name in the header and the address `/` both go there.
				expect(await page.locator('header a.brand').getAttribute('href')).toMatch(/\/supervise$/);
				await page.goto('/');
				await page.waitForURL('**/supervise');
				await screen.nodeHeading('全国').waitFor();
				await screen.trend().waitFor();
				expect(await screen.errors().count()).toBe(0);

				expect(failures).toEqual([]);
			} finally {
				await context.close();
			}
		}
	);
});

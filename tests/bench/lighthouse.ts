// Lighthouse on the login route and the grid worker's home, under Lighthouse's default mobile
// emulation and simulated throttling, on the built app served by the real server (a temporary
// SQLite database with the demo community). Each run starts a fresh Chromium (Debian's), so no
// cache, service worker or storage carries over from one run to the next; the run whose
// performance score is the median is kept as the report. Installability is asked of Chromium
// itself (`Page.getInstallabilityErrors`) on each route. See docs/field-performance.md,
// "Lighthouse".
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { startFlow, type FlowResult, type Result } from 'lighthouse';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CHROMIUM, CHROMIUM_ARGS, ensureBuilt } from '../e2e/browser';
import { startServer } from '../e2e/server';
import { progress, round } from './common';

export const LIGHTHOUSE_TARGETS = { performance: 90, accessibility: 100, 'best-practices': 95 };
const CATEGORIES = ['performance', 'accessibility', 'best-practices'] as const;
type Category = (typeof CATEGORIES)[number];

const WORKER = 'worker1';
const PASSWORD = 'demo1234';
const PIN = '2580';

/** The metrics a navigation report scores, in the order Lighthouse lists them. */
const METRICS = [
	['first-contentful-paint', 'FCP'],
	['largest-contentful-paint', 'LCP'],
	['total-blocking-time', 'TBT'],
	['cumulative-layout-shift', 'CLS'],
	['speed-index', 'SI']
] as const;

export interface StepSummary {
	/** navigation, timespan or snapshot, as Lighthouse names the step's mode. */
	mode: string;
	name: string;
	/** Category scores 0–100; a category the mode does not score is absent. */
	scores: Partial<Record<Category, number>>;
	/** Metric values as Lighthouse shows them (e.g. "1.2 s") and raw (ms, or unitless for CLS). */
	metrics: Record<string, { display: string; value: number }>;
	/** Audits of the scored categories that did not pass, with what they would save. */
	failing: { id: string; title: string; score: number | null; display: string }[];
}

export interface LighthouseRun {
	steps: StepSummary[];
	/** The run's performance score: its navigation step's. */
	performance: number;
	installabilityErrors: string[];
}

export interface RouteResult {
	route: string;
	/** What the runs do, in one sentence for the report. */
	description: string;
	runs: LighthouseRun[];
	/** Index into runs of the run with the median performance score. */
	median: number;
	report: string;
}

export interface LighthouseResult {
	runs: number;
	lighthouse: string;
	chromium: string;
	userAgent: string;
	routes: RouteResult[];
}

/** Lighthouse's defaults (mobile form factor, screen emulation and simulated throttling), three
 *  categories, no full-page screenshot (it would triple the kept report). */
const FLAGS = {
	onlyCategories: [...CATEGORIES],
	disableFullPageScreenshot: true,
	locale: 'en-US' as const
};

async function launch(): Promise<Browser> {
	return puppeteer.launch({
		executablePath: CHROMIUM,
		headless: true,
		// Chinese, as a worker's tablet; the app picks its language from the browser's.
		args: [
			...CHROMIUM_ARGS.filter((a) => a !== '--headless'),
			'--lang=zh-CN',
			'--accept-lang=zh-CN'
		],
		defaultViewport: null
	});
}

async function installabilityErrors(page: Page): Promise<string[]> {
	const cdp = await page.createCDPSession();
	try {
		const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
		return installabilityErrors.map((e) =>
			[e.errorId, ...e.errorArguments.map((a) => `${a.name}=${a.value}`)].join(' ')
		);
	} finally {
		await cdp.detach();
	}
}

function summarizeStep(lhr: Result): StepSummary {
	const scores: StepSummary['scores'] = {};
	const failing: StepSummary['failing'] = [];
	const seen = new Set<string>();
	for (const id of CATEGORIES) {
		const category = lhr.categories[id];
		// A category with no weighted audit in this mode (performance in a snapshot) has no score.
		if (!category || !category.auditRefs.some((ref) => ref.weight > 0)) continue;
		if (category.score !== null) scores[id] = Math.round(category.score * 100);
		for (const ref of category.auditRefs) {
			const audit = lhr.audits[ref.id];
			if (!audit || ref.group === 'hidden' || seen.has(ref.id)) continue;
			const scored = ['binary', 'numeric', 'metricSavings'].includes(audit.scoreDisplayMode);
			if (!scored || audit.score === null || audit.score >= 0.9) continue;
			seen.add(ref.id);
			failing.push({
				id: ref.id,
				title: audit.title,
				score: audit.score,
				display: audit.displayValue ?? ''
			});
		}
	}
	const metrics: StepSummary['metrics'] = {};
	for (const [id, label] of METRICS) {
		const audit = lhr.audits[id];
		if (audit?.numericValue !== undefined)
			metrics[label] = { display: audit.displayValue ?? '', value: round(audit.numericValue, 3) };
	}
	const inp = lhr.audits['interaction-to-next-paint'];
	if (inp?.numericValue !== undefined)
		metrics.INP = { display: inp.displayValue ?? '', value: round(inp.numericValue, 3) };
	return { mode: lhr.gatherMode, name: lhr.gatherMode, scores, metrics, failing };
}

function summarizeFlow(flow: FlowResult): StepSummary[] {
	return flow.steps.map((step) => ({ ...summarizeStep(step.lhr), name: step.name }));
}

async function chromiumVersion(): Promise<string> {
	const browser = await launch();
	try {
		return await browser.version();
	} finally {
		await browser.close();
	}
}

/** Fill a field the way a person types, so the app's input handlers see it. */
async function type(page: Page, selector: string, text: string): Promise<void> {
	const field = await page
		.waitForSelector(selector, { visible: true, timeout: 30_000 })
		.catch(async (error: unknown) => {
			throw new Error(`${selector} did not show: ${await onScreen(page)}`, { cause: error });
		});
	await field!.type(text);
}

/** What the page shows, for an error message: its URL, headings and open dialogs. */
async function onScreen(page: Page): Promise<string> {
	return page
		.evaluate(() =>
			JSON.stringify({
				url: location.href,
				headings: [...document.querySelectorAll('h1, h2')].map((h) => h.textContent?.trim()),
				dialogs: [...document.querySelectorAll('dialog[open]')].map((d) => d.className)
			})
		)
		.catch((error: unknown) => `(the page did not answer: ${String(error)})`);
}

async function heading(page: Page, text: string, timeout = 60_000): Promise<void> {
	await page.waitForFunction(
		(t) => [...document.querySelectorAll('h1')].some((h) => h.textContent?.trim() === t),
		{ timeout },
		text
	);
}

/** The login route as a new device first opens it: empty storage, no service worker. */
async function loginRun(baseUrl: string): Promise<{ run: LighthouseRun; flow: FlowResult }> {
	const browser = await launch();
	try {
		const page = await browser.newPage();
		const flow = await startFlow(page, { name: 'Login (first visit)', flags: FLAGS });
		await flow.navigate(`${baseUrl}/login`, { name: 'Open /login on a new device' });
		await heading(page, '登录');
		const errors = await installabilityErrors(page);
		const result = await flow.createFlowResult();
		const steps = summarizeFlow(result);
		return {
			run: { steps, performance: steps[0].scores.performance ?? 0, installabilityErrors: errors },
			flow: result
		};
	} finally {
		await browser.close();
	}
}

/**
 * The worker's home as a worker opens the app on a later day: signed in, PIN set, the first
 * download done and the service worker installed (all prepared with Puppeteer before the flow).
 * The flow then measures the cold start of /worker (the app starts locked), the unlock with the
 * PIN up to the home, and the home as shown.
 */
async function workerRun(baseUrl: string): Promise<{ run: LighthouseRun; flow: FlowResult }> {
	const browser = await launch();
	try {
		const page = await browser.newPage();
		await page.setViewport({ width: 412, height: 823, deviceScaleFactor: 1.75, isMobile: true });
		await page.goto(`${baseUrl}/login`);
		await heading(page, '登录');
		await type(page, '#username', WORKER);
		await type(page, '#password', PASSWORD);
		await page.click('form button[type="submit"]');
		await type(page, '#pin-new', PIN);
		await type(page, '#pin-confirm', PIN);
		await page.click('dialog[open] button[type="submit"]');
		await heading(page, '我的网格');
		await page.waitForFunction(() => navigator.serviceWorker.controller !== null, {
			timeout: 60_000
		});
		const flow = await startFlow(page, { name: 'Worker home', flags: FLAGS });
		await flow.navigate(`${baseUrl}/worker`, {
			name: 'Open /worker with a saved session (starts locked)',
			// The saved session, the PIN and the downloaded data are the point: keep them.
			disableStorageReset: true
		});
		await flow.startTimespan({ name: 'Unlock with the PIN until the home shows' });
		await type(page, 'dialog.lock #unlock-pin', PIN);
		await page.click('dialog.lock button[type="submit"]');
		await heading(page, '我的网格');
		await page.waitForSelector('dialog.lock', { hidden: true });
		await flow.endTimespan();
		await flow.snapshot({ name: 'The home, unlocked' });
		const errors = await installabilityErrors(page);
		const result = await flow.createFlowResult();
		const steps = summarizeFlow(result);
		return {
			run: { steps, performance: steps[0].scores.performance ?? 0, installabilityErrors: errors },
			flow: result
		};
	} finally {
		await browser.close();
	}
}

/**
 * The kept report, smaller: without the filmstrip thumbnails and Lighthouse's timings of itself
 * (together about a third of it). It still opens in the Lighthouse viewer, final screenshot
 * included.
 */
function trimmed(flow: FlowResult): FlowResult {
	return {
		...flow,
		steps: flow.steps.map((step) => {
			const audits = { ...step.lhr.audits };
			const thumbnails = audits['screenshot-thumbnails'];
			if (thumbnails) audits['screenshot-thumbnails'] = { ...thumbnails, details: undefined };
			return {
				...step,
				lhr: { ...step.lhr, audits, timing: { ...step.lhr.timing, entries: [] } }
			};
		})
	};
}

/** The index of the run with the median performance score (the lower middle of an even count). */
function medianIndex(runs: LighthouseRun[]): number {
	const order = runs.map((r, i) => [r.performance, i]).sort((a, b) => a[0] - b[0]);
	return order[Math.floor((order.length - 1) / 2)][1];
}

export async function benchLighthouse(options: {
	runs: number;
	out: string;
	/** Which routes: 'login', 'worker' or both. */
	routes: string[];
}): Promise<LighthouseResult> {
	progress('lighthouse: building the app (unless build/ is fresh)');
	const appDir = ensureBuilt();
	progress('lighthouse: seeding the demo community and starting the server');
	const server = await startServer(appDir);
	const baseUrl = server.url;
	try {
		const routes: RouteResult[] = [];
		const cases = [
			{
				route: '/login',
				file: 'lighthouse-login.json',
				description:
					'A new device opens /login: storage cleared, no service worker, nothing cached.',
				run: loginRun
			},
			{
				route: '/worker',
				file: 'lighthouse-worker.json',
				description:
					'A worker opens the app on a later day: signed in, PIN set, first download done and ' +
					'the service worker installed beforehand; the navigation to /worker starts locked, ' +
					'then the PIN is typed (timespan) and the home is audited as shown (snapshot).',
				run: workerRun
			}
		];
		let lighthouse = '';
		let userAgent = '';
		const chromium = await chromiumVersion();
		for (const c of cases.filter((c) => options.routes.includes(c.route.slice(1)))) {
			const runs: LighthouseRun[] = [];
			const flows: FlowResult[] = [];
			for (let i = 0; i < options.runs; i++) {
				const { run, flow } = await c.run(baseUrl);
				const nav = flow.steps[0].lhr;
				lighthouse = nav.lighthouseVersion;
				userAgent = nav.environment.networkUserAgent;
				progress(
					`lighthouse ${c.route} run ${i + 1}/${options.runs}: ` +
						run.steps
							.map(
								(s) =>
									`${s.mode} ${Object.entries(s.scores)
										.map(([k, v]) => `${k} ${v}`)
										.join(', ')}`
							)
							.join('; ') +
						`; installability errors: ${run.installabilityErrors.length}`
				);
				runs.push(run);
				flows.push(flow);
			}
			const median = medianIndex(runs);
			mkdirSync(options.out, { recursive: true });
			writeFileSync(join(options.out, c.file), `${JSON.stringify(trimmed(flows[median]))}\n`);
			routes.push({
				route: c.route,
				description: c.description,
				runs,
				median,
				report: c.file
			});
		}
		return {
			runs: options.runs,
			lighthouse,
			chromium,
			userAgent,
			routes
		};
	} finally {
		await server.stop();
	}
}

const CATEGORY_LABEL: Record<Category, string> = {
	performance: 'Performance',
	accessibility: 'Accessibility',
	'best-practices': 'Best practices'
};

function score(step: StepSummary, category: Category): string {
	const value = step.scores[category];
	return value === undefined ? '–' : String(value);
}

function metric(step: StepSummary, label: string): string {
	return step.metrics[label]?.display.replace(/\u00a0/g, ' ') ?? '–';
}

/** One row per run and step; the median run in bold. */
export function lighthouseTable(result: LighthouseResult): string {
	const rows: string[] = [];
	for (const route of result.routes)
		route.runs.forEach((run, i) => {
			for (const step of run.steps) {
				const mark = (text: string) => (i === route.median ? `**${text}**` : text);
				rows.push(
					`| ${route.route} | ${i + 1}${i === route.median ? ' (median)' : ''} | ${step.name} | ` +
						[
							...CATEGORIES.map((c) => mark(score(step, c))),
							...['FCP', 'LCP', 'TBT', 'CLS', 'SI', 'INP'].map((m) => metric(step, m))
						].join(' | ') +
						' |'
				);
			}
		});
	return [
		'| Route | Run | Step | Performance | Accessibility | Best practices | FCP | LCP | TBT | CLS | Speed Index | INP |',
		'| --- | --: | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
		...rows
	].join('\n');
}

/** The median runs against the targets: each scored category of each step must meet its own. */
export function targetsTable(result: LighthouseResult): string {
	const rows: string[] = [];
	for (const route of result.routes) {
		const run = route.runs[route.median];
		for (const step of run.steps)
			for (const category of CATEGORIES) {
				const value = step.scores[category];
				// A snapshot scores no performance, a timespan no accessibility.
				if (value === undefined || (category === 'performance' && step.mode === 'snapshot'))
					continue;
				const target = LIGHTHOUSE_TARGETS[category];
				const met = value >= target;
				rows.push(
					`| ${route.route} | ${step.name} | ${CATEGORY_LABEL[category]} | ${value} | ` +
						`${category === 'accessibility' ? '100' : `≥ ${target}`} | ${met ? 'met' : '**not met**'} |`
				);
			}
		const errors = run.installabilityErrors;
		rows.push(
			`| ${route.route} | (after the runs) | Installability errors | ${errors.length ? errors.join(', ') : 'none'} | none | ${errors.length ? '**not met**' : 'met'} |`
		);
	}
	return [
		'| Route | Step | Category | Median run | Target | |',
		'| --- | --- | --- | --: | --: | --- |',
		...rows
	].join('\n');
}

/** What the median run of each route did not pass, step by step. */
function failingAudits(result: LighthouseResult): string[] {
	const lines: string[] = [];
	for (const route of result.routes) {
		const run = route.runs[route.median];
		for (const step of run.steps) {
			if (step.failing.length === 0) continue;
			lines.push(`- ${route.route}, ${step.name}:`);
			for (const audit of step.failing)
				lines.push(
					`  - ${audit.title} (\`${audit.id}\`, score ${audit.score === null ? '–' : audit.score})` +
						`${audit.display ? `: ${audit.display.replace(/\u00a0/g, ' ')}` : ''}`
				);
		}
	}
	return lines.length ? lines : ['- none'];
}

function machine(result: LighthouseResult, loadStart: number): Record<string, string> {
	const cpu = cpus();
	return {
		CPU: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown'}`,
		Memory: `${round(totalmem() / 2 ** 30, 1)} GiB`,
		OS: `${osType()} ${release()}`,
		'Node.js': process.version,
		Lighthouse: result.lighthouse,
		Chromium: `${result.chromium} (headless, ${CHROMIUM})`,
		'Emulated user agent': result.userAgent,
		'Load average (1 min) at the start': String(round(loadStart, 2)),
		'Load average (1 min) at the end': String(round(loadavg()[0], 2))
	};
}

/** bench-results/lighthouse.{md,json}; returns the tables for stdout. */
export function writeLighthouseReport(
	result: LighthouseResult,
	out: string,
	command: string,
	loadStart: number
): string {
	const date = new Date().toISOString();
	const host = machine(result, loadStart);
	const tables = `${targetsTable(result)}\n\n${lighthouseTable(result)}`;
	const md = [
		'# Lighthouse: the login route and the grid worker’s home',
		'',
		`${date} · \`${command}\``,
		'',
		`Lighthouse ${result.lighthouse} (Node API, user flows) driving Debian’s Chromium through ` +
			'Puppeteer, with Lighthouse’s default mobile form factor: a 412 × 823 screen at 1.75× ' +
			'and simulated throttling (150 ms round trips, 1.6 Mbit/s down, the CPU 4× slower). ' +
			'The built app is served by the real server (`gridcare seed-demo` then `gridcare serve` ' +
			`on a temporary SQLite database). ${result.runs} runs per route, each in a fresh ` +
			'Chromium; the run with the median performance score is the one kept and shown in bold.',
		'',
		...result.routes.map((r) => `- **${r.route}** — ${r.description} Report: \`${r.report}\`.`),
		'',
		'## Against the targets',
		'',
		tables.split('\n\n')[0],
		'',
		'Installability is Chromium’s own verdict (`Page.getInstallabilityErrors` over the DevTools ' +
			'protocol) on the page after the run; Lighthouse 12 has no PWA category.',
		'',
		'## Every run',
		'',
		tables.split('\n\n')[1],
		'',
		'The reports are Lighthouse flow results (JSON); open them in the Lighthouse viewer ' +
			'(googlechrome.github.io/lighthouse/viewer). The filmstrip thumbnails are left out to keep ' +
			'them small.',
		'',
		'## What the median runs did not pass',
		'',
		...failingAudits(result),
		'',
		'## Machine',
		'',
		...Object.entries(host).map(([k, v]) => `- ${k}: ${v}`),
		''
	].join('\n');
	mkdirSync(out, { recursive: true });
	writeFileSync(join(out, 'lighthouse.md'), md);
	writeFileSync(
		join(out, 'lighthouse.json'),
		`${JSON.stringify({ date, command, machine: host, targets: LIGHTHOUSE_TARGETS, ...result }, null, '\t')}\n`
	);
	return tables;
}

// A round's question figures over HTTP on both databases (docs/check-templates.md, "Figures"):
// `questions` beside `metrics` at a community, a street and the province, for rounds asking a
// shipped template and a county's own (pinned at version 2, answered with both versions), absent
// for a round without a template and for a day; residents found abnormal by answers counted in
// abnormalResidents; read from the figure tables alone; and the round's reports (community and
// street) with a pair of columns per counted question, read back with exceljs.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRound } from '../../server/supervision/rounds';
import { SHIPPED_TEMPLATES } from '../../src/lib/shared/templates';
import { ApiClient, testApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { rawSql } from './raw-sql';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';
import { CUSTOM_TEMPLATE_ID, CUSTOM_VERSIONS, insertTemplate } from './templates';

const uuid = () => crypto.randomUUID();
const COMMUNITY_A = '450102001003';
const COMMUNITY_B = '450102001004';
const STREET = '450102001';
// 10:30 on 10 March in Asia/Shanghai, the default zone of the deployment.
const CLOCK = new Date('2026-03-10T02:30:00Z');
const DATE = '2026-03-10';
const FEVER = SHIPPED_TEMPLATES[1];

type Questions = Record<string, { asked: number; abnormal: number }>;
interface Node {
	code: string;
	metrics: Record<string, number>;
	questions?: Questions;
	children: { code: string; metrics: Record<string, number>; questions?: Questions }[];
}

/** Question figures from [asked, abnormal] pairs, in order. */
const q = (figures: Record<string, [number, number]>): Questions =>
	Object.fromEntries(
		Object.entries(figures).map(([key, [asked, abnormal]]) => [key, { asked, abnormal }])
	);

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`round question figures (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let head: ApiClient;
		let street: ApiClient;
		let province: ApiClient;
		const rounds = { fever: uuid(), custom: uuid(), plain: uuid() };

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			await insertTemplate(db.url, {
				id: CUSTOM_TEMPLATE_ID,
				divisionCode: '450102',
				name: '县自定义排查',
				versions: CUSTOM_VERSIONS
			});
			const clock = { now: CLOCK, timeZone: 'Asia/Shanghai' };
			const round = (id: string, name: string, template: [string, number] | null) =>
				createRound(
					db.store,
					fx.users.street,
					{
						id,
						divisionCode: STREET,
						name,
						startDate: '2026-03-09',
						dueDate: '2026-03-12',
						createdBy: fx.users.street.id,
						createdAt: CLOCK,
						templateId: template?.[0] ?? null,
						templateVersion: template?.[1] ?? null
					},
					clock
				);
			await round(rounds.fever, '发热排查', [FEVER.id, 1]);
			await round(rounds.custom, '专项排查', [CUSTOM_TEMPLATE_ID, 2]);
			await round(rounds.plain, '入户走访', null);

			const app = testApp(db.store, () => CLOCK);
			const worker = await new ApiClient(app).login('worker_a1');
			const workerB = await new ApiClient(app).login('worker_b1');
			head = await new ApiClient(app).login('head_a');
			street = await new ApiClient(app).login('street');
			province = await new ApiClient(app).login('province');

			const at = CLOCK.toISOString();
			const ins = (table: string, rowId: string, fields: Record<string, unknown>) => ({
				id: uuid(),
				table,
				op: 'insert',
				rowId,
				fields
			});
			const visit = (
				householdId: string,
				[templateId, templateVersion]: [string, number],
				answers: { residentId?: string; key: string; value: unknown }[]
			) =>
				ins('visits', uuid(), {
					householdId,
					visitedAt: at,
					outcome: 'visited',
					checks: [],
					templateId,
					templateVersion,
					answers
				});
			const [h1, h2, hb, r1, r2, r3, rb] = Array.from({ length: 7 }, uuid);
			const ok = (results: { status: string; reason?: string }[]) =>
				expect(results.map((r) => r.reason ?? r.status)).toEqual(results.map(() => 'applied'));
			ok(
				await worker.push([
					ins('households', h1, { gridId: fx.grids.a1, address: '民生路8号302室' }),
					ins('households', h2, { gridId: fx.grids.a1, address: '民生路8号303室' }),
					ins('residents', r1, { householdId: h1, name: '黄桂英' }),
					ins('residents', r2, { householdId: h1, name: '李建国' }),
					ins('residents', r3, { householdId: h2, name: '王秀兰' }),
					// The fever check: r1 feverish, r2 not (yet); travel is text, not counted.
					visit(
						h1,
						[FEVER.id, 1],
						[
							{ residentId: r1, key: 'temperature', value: 38.0 },
							{ residentId: r2, key: 'temperature', value: 36.5 },
							{ residentId: r1, key: 'fever', value: true },
							{ residentId: r2, key: 'fever', value: false },
							{ residentId: r1, key: 'cough', value: false },
							{ residentId: r1, key: 'travel', value: '北京' }
						]
					)
				])
			);
			// A later batch: the household visited again (r1 now normal, r2 feverish), and another.
			ok(
				await worker.push([
					visit(
						h1,
						[FEVER.id, 1],
						[
							{ residentId: r1, key: 'temperature', value: 36.6 },
							{ residentId: r2, key: 'temperature', value: 37.5 }
						]
					),
					visit(
						h2,
						[FEVER.id, 1],
						[
							{ residentId: r3, key: 'temperature', value: 36.4 },
							{ residentId: r3, key: 'rash', value: true }
						]
					),
					// The county's template at version 2 (the round's): per-resident water, household pills.
					visit(
						h1,
						[CUSTOM_TEMPLATE_ID, 2],
						[
							{ residentId: r1, key: 'mood', value: '好' },
							{ residentId: r1, key: 'water', value: true },
							{ residentId: r2, key: 'bp', value: 150 },
							{ key: 'pills', value: ['没有'] }
						]
					)
				])
			);
			ok(
				await workerB.push([
					ins('households', hb, { gridId: fx.grids.b1, address: '民生路9号' }),
					ins('residents', rb, { householdId: hb, name: '赵大爷' }),
					visit(hb, [FEVER.id, 1], [{ residentId: rb, key: 'temperature', value: 39.0 }]),
					// Version 1 of the county's template still counts in the round pinning version 2.
					visit(
						hb,
						[CUSTOM_TEMPLATE_ID, 1],
						[
							{ key: 'water', value: true },
							{ residentId: rb, key: 'mood', value: '差' },
							{ key: 'remark', value: '门口堆物' }
						]
					)
				])
			);
		});
		afterAll(async () => db?.dispose());

		const read = async (client: ApiClient, path: string): Promise<Node> => {
			const res = await client.request(path);
			expect(res.status, await res.clone().text()).toBe(200);
			return (await res.json()) as Node;
		};
		const child = (node: Node, code: string) => node.children.find((c) => c.code === code)!;

		const FEVER_A = q({ temperature: [3, 2], fever: [2, 1], cough: [1, 0], rash: [1, 1] });
		const FEVER_B = q({ temperature: [1, 1], fever: [0, 0], cough: [0, 0], rash: [0, 0] });
		const FEVER_ALL = q({ temperature: [4, 3], fever: [2, 1], cough: [1, 0], rash: [1, 1] });
		const CUSTOM_A = q({ mood: [1, 0], water: [1, 1], bp: [1, 1], pills: [1, 1] });
		const CUSTOM_B = q({ mood: [1, 1], water: [1, 1], bp: [0, 0], pills: [0, 0] });
		const CUSTOM_ALL = q({ mood: [2, 1], water: [2, 2], bp: [1, 1], pills: [1, 1] });

		it("answers a round's question figures at a community, with each grid's", async () => {
			const node = await read(head, `/rollup/${COMMUNITY_A}?round=${rounds.fever}`);
			// The counted keys of the pinned version, in its order (travel has no rule).
			expect(Object.keys(node.questions!)).toEqual(['temperature', 'fever', 'cough', 'rash']);
			expect(node.questions).toEqual(FEVER_A);
			expect(child(node, fx.grids.a1).questions).toEqual(FEVER_A);
			// A grid where nothing was answered: zeros, not nothing.
			expect(child(node, fx.grids.a2).questions).toEqual(
				q({ temperature: [0, 0], fever: [0, 0], cough: [0, 0], rash: [0, 0] })
			);
			expect(node.metrics.visits).toBe(4);
		});

		it('adds the figures up at the street and the province', async () => {
			const ofStreet = await read(street, `/rollup/${STREET}?round=${rounds.fever}`);
			expect(ofStreet.questions).toEqual(FEVER_ALL);
			expect(child(ofStreet, COMMUNITY_A).questions).toEqual(FEVER_A);
			expect(child(ofStreet, COMMUNITY_B).questions).toEqual(FEVER_B);
			const ofProvince = await read(province, `/rollup/45?round=${rounds.fever}`);
			expect(ofProvince.questions).toEqual(FEVER_ALL);
			expect(child(ofProvince, '4501').questions).toEqual(FEVER_ALL);
		});

		it("counts every version of the round's template, a key asked of the household or of each member", async () => {
			const ofStreet = await read(street, `/rollup/${STREET}?round=${rounds.custom}`);
			expect(Object.keys(ofStreet.questions!)).toEqual(['mood', 'water', 'bp', 'pills']);
			expect(ofStreet.questions).toEqual(CUSTOM_ALL);
			expect(child(ofStreet, COMMUNITY_A).questions).toEqual(CUSTOM_A);
			expect(child(ofStreet, COMMUNITY_B).questions).toEqual(CUSTOM_B);
		});

		it('counts residents found abnormal by an answer, not by a household question', async () => {
			// r1 (temperature, fever, water), r2 (temperature, bp), r3 (rash); rb (temperature,
			// mood). The household answers (pills, water of version 1) name nobody.
			const day = await read(street, `/rollup/${STREET}?date=${DATE}`);
			expect(child(day, COMMUNITY_A).metrics.abnormalResidents).toBe(3);
			expect(child(day, COMMUNITY_B).metrics.abnormalResidents).toBe(1);
			const round = await read(street, `/rollup/${STREET}?round=${rounds.custom}`);
			expect(child(round, COMMUNITY_A).metrics.abnormalResidents).toBe(3);
		});

		it('answers no questions for a round without a template, nor for a day', async () => {
			for (const path of [
				`/rollup/${STREET}?round=${rounds.plain}`,
				`/rollup/${STREET}?date=${DATE}`,
				`/rollup/${STREET}`
			]) {
				const node = await read(street, path);
				expect(node, path).not.toHaveProperty('questions');
				for (const c of node.children) expect(c, path).not.toHaveProperty('questions');
				expect(node.metrics.visits, path).toBeGreaterThan(0);
			}
		});

		/** The workbook's header row and data rows (first column first). */
		const book = async (client: ApiClient, path: string) => {
			const res = await client.request(path);
			expect(res.status, await res.clone().text()).toBe(200);
			const workbook = new ExcelJS.Workbook();
			await workbook.xlsx.load(await res.arrayBuffer());
			const sheet = workbook.worksheets[0];
			const rows: unknown[][] = [];
			for (let r = 1; r <= sheet.rowCount; r++)
				rows.push((sheet.getRow(r).values as unknown[]).slice(1));
			return { sheet, rows, disposition: res.headers.get('content-disposition') ?? '' };
		};
		/** A cell's number, a formula's stored result included (exceljs drops a result of 0). */
		const shown = (v: unknown) =>
			typeof v === 'object' && v !== null && 'formula' in v
				? ((v as { result?: number }).result ?? 0)
				: v;

		it("lays out the community's round report with two columns per counted question", async () => {
			const { sheet, rows, disposition } = await book(
				head,
				`/communities/${COMMUNITY_A}/summary.xlsx?round=${rounds.fever}`
			);
			expect(disposition).toContain(`summary-${COMMUNITY_A}-round-${rounds.fever}.xlsx`);
			expect(sheet.getCell('A1').value).toBe(
				'兴宁社区居委会 发热排查 排查报表（2026-03-09 至 2026-03-12）'
			);
			expect(sheet.getCell('A3').value).toBe('排查轮次：发热排查（2026-03-09 至 2026-03-12）');
			const header = rows[3];
			// The day report's 15 columns, households due and overdue for a visit last, then the
			// question pairs in the version's order.
			expect(header.slice(0, 3)).toEqual(['网格', '网格员', '户数']);
			expect(header.slice(13, 15)).toEqual(['应走访', '逾期未走访']);
			expect(header.slice(15)).toEqual([
				'体温·询问',
				'体温·异常',
				'近几天发热·询问',
				'近几天发热·异常',
				'咳嗽·询问',
				'咳嗽·异常',
				'皮疹·询问',
				'皮疹·异常'
			]);
			expect(rows[4][0]).toBe('第一网格');
			expect(rows[4].slice(15)).toEqual([3, 2, 2, 1, 1, 0, 1, 1]);
			expect(rows[5].slice(15)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
			// Totals: SUM formulas with their results.
			expect(rows[6][0]).toBe('合计');
			expect(rows[6].slice(15).map(shown)).toEqual([3, 2, 2, 1, 1, 0, 1, 1]);
			const column = sheet.getColumn(14).letter;
			expect((sheet.getCell(7, 14).value as ExcelJS.CellFormulaValue).formula).toBe(
				`SUM(${column}5:${column}6)`
			);
			expect(rows[4][col(rows, '走访次数')]).toBe(4);
		});

		it("gives the street a row per community in the round's report, counts only", async () => {
			const { rows } = await book(
				street,
				`/divisions/${STREET}/summary.xlsx?round=${rounds.custom}`
			);
			expect(rows[3].slice(14)).toEqual([
				'精神状态·询问',
				'精神状态·异常',
				'缺水·询问',
				'缺水·异常',
				'收缩压·询问',
				'收缩压·异常',
				'常备药·询问',
				'常备药·异常'
			]);
			expect(rows[4][0]).toBe('兴宁社区居委会');
			expect(rows[4].slice(14)).toEqual([1, 0, 1, 1, 1, 1, 1, 1]);
			expect(rows[5].slice(14)).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
			expect(rows[6].slice(14).map(shown)).toEqual([2, 1, 2, 2, 1, 1, 1, 1]);
		});

		it('adds no question columns for a round without a template; an unknown round is 404', async () => {
			const { rows } = await book(
				head,
				`/communities/${COMMUNITY_A}/summary.xlsx?round=${rounds.plain}`
			);
			expect(rows[3]).toHaveLength(15);
			const missing = await street.request(`/divisions/${STREET}/summary.xlsx?round=${uuid()}`);
			expect(missing.status).toBe(404);
			expect(((await missing.json()) as { message: string }).message).toMatch(/^round: /);
		});

		it('reads the figure tables alone, never the visits', async () => {
			await rawSql(db.url, 'delete from visits');
			const node = await read(street, `/rollup/${STREET}?round=${rounds.fever}`);
			expect(node.questions).toEqual(FEVER_ALL);
		});
	});
}

/** Index (0-based) of a header in row 4. */
function col(rows: unknown[][], header: string): number {
	const c = rows[3].indexOf(header);
	expect(c, header).toBeGreaterThanOrEqual(0);
	return c;
}

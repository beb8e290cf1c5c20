// The roster import over HTTP on both databases: a workbook uploaded answers a preview kept in the
// database, committed once (by any server process) its rows exist and reach the grid's worker on
// their next pull; who may import, unreadable and oversized files, expiry, the blank template,
// the residents export that imports back as "nothing changed", the workbook of rejected rows, and
// the audit trail.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_OF, PROBLEM_HEADER } from '../../server/imports/columns';
import { TEMPLATE_COLUMNS } from '../../server/imports/workbooks';
import { purgeExpiredImports } from '../../server/privacy/retention';
import { openStore } from '../../server/store/index';
import type { Store } from '../../server/store/types';
import { maskIdNumber, maskLandline, maskName } from '../../src/lib/shared/mask';
import { ApiClient, testApp, type TestApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const COMMUNITY_A = '450102001003';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DAY_MS = 86_400_000;

/** An 18-character ID number with its GB 11643 check character. */
function idNumber(region: string, birth: string, sequence: string): string {
	const body = `${region}${birth}${sequence}`;
	const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	const sum = [...body].reduce((s, d, i) => s + Number(d) * weights[i], 0);
	return body + '10X98765432'[sum % 11];
}
/** The same number with a wrong check character. */
const badCheck = (id: string) => id.slice(0, 17) + (id[17] === '0' ? '1' : '0');

interface Person {
	householdNo: string;
	grid: string;
	address: string;
	head: string;
	name: string;
	relation: string;
	id: string;
	sex: string;
	birth: string;
	phone: string;
	landline?: string;
	tags: string;
}

const ZHANG = idNumber('450102', '19500308', '123');
const LI = idNumber('450102', '19520611', '224');
const WANG = idNumber('450102', '19801203', '335');
const ZHAO = idNumber('450102', '19451010', '446');
const SUN = idNumber('450102', '19900101', '568');

/** Five people in three households of two grids; rows 4 and 5 have problems. */
const PEOPLE: Person[] = [
	{
		householdNo: 'H1',
		grid: '第一网格',
		address: '民生路1号101室',
		head: '张建国',
		name: '张建国',
		relation: '户主',
		id: ZHANG,
		sex: '男',
		birth: '1950-03-08',
		phone: '13812345678',
		landline: '0771-5551234',
		tags: '独居老人'
	},
	{
		householdNo: 'H1',
		grid: '第一网格',
		address: '民生路1号101室',
		head: '张建国',
		name: '李秀英',
		relation: '配偶',
		id: LI,
		sex: '女',
		birth: '',
		phone: '',
		tags: ''
	},
	{
		householdNo: 'H2',
		grid: '第二网格',
		address: '民生路2号',
		head: '王小明',
		name: '王小明',
		relation: '户主',
		id: WANG,
		sex: '男',
		birth: '',
		phone: '138 0000 1111',
		tags: '低保、残疾'
	},
	{
		householdNo: 'H2',
		grid: '第二网格',
		address: '民生路2号',
		head: '王小明',
		name: '赵桂兰',
		relation: '母亲',
		id: badCheck(ZHAO),
		sex: '女',
		birth: '',
		phone: '',
		tags: ''
	},
	{
		householdNo: 'H3',
		grid: '第一网格',
		address: '民生路3号',
		head: '孙丽',
		name: '孙丽',
		relation: '户主',
		id: SUN,
		sex: '女',
		birth: '',
		phone: '',
		tags: '外地人员'
	}
];
const GOOD = PEOPLE.slice(0, 3);

/** A roster as a community keeps it: a title row, the header on row 2, one row per person. */
async function rosterXlsx(people: Person[]): Promise<Uint8Array<ArrayBuffer>> {
	const book = new ExcelJS.Workbook();
	const sheet = book.addWorksheet('花名册');
	sheet.addRow(['兴宁社区居民花名册']);
	sheet.addRow([
		'户号',
		'所属网格',
		'住址',
		'户主姓名',
		'姓名',
		'与户主关系',
		'公民身份号码',
		'性别',
		'出生日期',
		'手机号码',
		'人员类别',
		'座机'
	]);
	for (const p of people)
		sheet.addRow([
			p.householdNo,
			p.grid,
			p.address,
			p.head,
			p.name,
			p.relation,
			p.id,
			p.sex,
			p.birth,
			p.phone,
			p.tags,
			p.landline ?? ''
		]);
	return new Uint8Array((await book.xlsx.writeBuffer()) as ArrayBuffer);
}

/** The Excel row of person `i` of PEOPLE (title, header, then the people). */
const rowOf = (i: number) => i + 3;

interface Preview {
	id: string;
	status: string;
	fileName: string;
	communityCode: string;
	expiresAt: string;
	counts: Record<string, number>;
	problems: { row: number; column: string; field: string | null; code: string; message: string }[];
	problemsTotal: number;
	progress: { done: number; total: number };
	result: Record<string, number> | null;
}

async function readBook(res: Response): Promise<ExcelJS.Workbook> {
	expect(res.status, await res.clone().text()).toBe(200);
	expect(res.headers.get('content-type')).toContain('spreadsheetml');
	expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="[\w.-]+"/);
	const book = new ExcelJS.Workbook();
	await book.xlsx.load(await res.arrayBuffer());
	return book;
}

/** Every row of a sheet as text cells, first column first. */
function rowsOf(sheet: ExcelJS.Worksheet): string[][] {
	const rows: string[][] = [];
	for (let r = 1; r <= sheet.rowCount; r++) {
		const row = sheet.getRow(r);
		rows.push(
			Array.from({ length: sheet.columnCount }, (_, c) => {
				const value = row.getCell(c + 1).value;
				return value === null || value === undefined ? '' : String(value);
			})
		);
	}
	return rows;
}

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`roster import API (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let app: TestApp;
		let clock = Date.now();
		const notified: string[] = [];
		let head: ApiClient;

		const client = (username: string, on: TestApp = app) => new ApiClient(on).login(username);

		/** Upload a file as multipart/form-data (the app's way) and answer the response. */
		async function uploadForm(
			who: ApiClient,
			bytes: Uint8Array<ArrayBuffer>,
			name: string,
			query = `community=${COMMUNITY_A}`
		): Promise<Response> {
			const form = new FormData();
			form.append('file', new Blob([bytes], { type: XLSX }), name);
			const request = new Request('http://upload', { method: 'POST', body: form });
			return who.request(`/imports/households?${query}`, {
				method: 'POST',
				body: await request.arrayBuffer(),
				headers: { 'content-type': request.headers.get('content-type')! }
			});
		}

		/** Upload the raw bytes with their content type (scripts' way). */
		const uploadRaw = (
			who: ApiClient,
			bytes: Uint8Array<ArrayBuffer>,
			type: string,
			query = `community=${COMMUNITY_A}`
		) =>
			who.request(`/imports/households?${query}`, {
				method: 'POST',
				body: bytes,
				headers: { 'content-type': type }
			});

		async function preview(who: ApiClient, bytes: Uint8Array<ArrayBuffer>, name = '台账.xlsx') {
			const res = await uploadForm(who, bytes, name);
			expect(res.status, await res.clone().text()).toBe(200);
			expect(res.headers.get('cache-control')).toBe('no-store');
			return (await res.json()) as Preview;
		}

		const commit = (who: ApiClient, id: string) =>
			who.request(`/imports/${id}/commit`, { method: 'POST' });

		/** Live residents of community A, by name. */
		async function residentsOfA(store: Store = db.store) {
			const out = new Map<string, { householdId: string; idNumberMasked: string | null }>();
			for (const grid of await store.gridsOfCommunity(COMMUNITY_A))
				for (const h of await store.householdsOfGrid(grid.id))
					for (const r of await store.residentsOfHousehold(h.id))
						if (!r.deleted) out.set(r.name, r);
			return out;
		}

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			app = testApp(db.store, () => new Date(clock), {
				alerts: { notify: (codes) => notified.push(...codes) }
			});
			head = await client('head_a');
		});
		afterAll(async () => {
			await db?.dispose();
		});

		let first: Preview;

		it('previews a roster without writing, each problem by row and column', async () => {
			first = await preview(head, await rosterXlsx(PEOPLE));
			expect(first).toMatchObject({
				status: 'preview',
				fileName: '台账.xlsx',
				communityCode: COMMUNITY_A,
				counts: { rows: 5, households: 2, residents: 3, updated: 0, unchanged: 0, rejected: 2 },
				problemsTotal: 2,
				progress: { done: 0, total: 0 },
				result: null
			});
			expect(new Date(first.expiresAt).getTime() - clock).toBe(DAY_MS);
			expect(first.problems).toEqual([
				expect.objectContaining({
					row: rowOf(3),
					column: '公民身份号码',
					field: 'idNumber',
					code: 'id_check_char'
				}),
				expect.objectContaining({ row: rowOf(4), field: 'tags', code: 'unknown_tag' })
			]);
			expect((await residentsOfA()).size).toBe(0);
			// The ID numbers of the file are kept sealed as the residents' are.
			const stored = await db.store.imports().get(first.id);
			const sealed = (await db.store.idProtection()).seal(ZHANG);
			expect(stored!.payload.includes(ZHANG)).toBe(sealed === ZHANG);
			// The same preview is answered again to its maker.
			const again = await head.request(`/imports/${first.id}`);
			expect(await again.json()).toEqual(first);
		});

		it("keeps previews to their maker and imports to the community's runners", async () => {
			for (const who of ['head_b', 'street', 'admin']) {
				const other = await client(who);
				expect((await other.request(`/imports/${first.id}`)).status).toBe(404);
				expect((await commit(other, first.id)).status).toBe(404);
				expect((await other.request(`/imports/${first.id}/rejected.xlsx`)).status).toBe(404);
			}
			const bytes = await rosterXlsx(GOOD);
			for (const who of ['head_b', 'worker_a1', 'county_other', 'kiosk_a']) {
				const res = await uploadForm(await client(who), bytes, 'x.xlsx');
				expect(res.status, who).toBe(403);
				expect(
					(await (await client(who)).request(`/communities/${COMMUNITY_A}/residents.xlsx`)).status,
					who
				).toBe(403);
			}
			// The street's officer and an administrator covering the community may.
			for (const who of ['street', 'admin'])
				expect((await uploadForm(await client(who), bytes, 'x.xlsx')).status, who).toBe(200);
			expect((await uploadForm(head, bytes, 'x.xlsx', 'community=450102001999')).status).toBe(404);
			expect((await uploadForm(head, bytes, 'x.xlsx', 'community=4501')).status).toBe(400);
		});

		it('commits once: rows written, the worker pulls them, alerts told, audited', async () => {
			const { changes: before } = await (await client('worker_a1')).pullAll();
			const res = await commit(head, first.id);
			expect(res.status, await res.clone().text()).toBe(200);
			expect(await res.json()).toEqual({ households: 2, residents: 3, updated: 0, rejected: 2 });
			expect(notified).toContain(COMMUNITY_A);

			const people = await residentsOfA();
			expect([...people.keys()].sort()).toEqual(GOOD.map((p) => p.name).sort());
			expect(people.get('张建国')!.householdId).toBe(people.get('李秀英')!.householdId);
			expect(people.get('张建国')!.idNumberMasked).toBe(maskIdNumber(ZHANG));

			// The first grid's worker receives the household of 第一网格 and its two people, masked.
			const worker = await client('worker_a1');
			const { changes } = await worker.pullAll();
			const fresh = changes.filter((c) => !before.some((b) => b.rowId === c.rowId));
			const households = fresh.filter((c) => c.table === 'households' && c.op === 'insert');
			expect(households.map((h) => h.fields.address)).toEqual(['民生路1号101室']);
			const pulled = fresh.filter((c) => c.table === 'residents');
			expect(pulled.map((r) => r.fields.name).sort()).toEqual(['张建国', '李秀英'].sort());
			for (const r of pulled) expect(JSON.stringify(r.fields)).not.toContain(ZHANG);

			const done = (await (await head.request(`/imports/${first.id}`)).json()) as Preview;
			expect(done).toMatchObject({
				status: 'committed',
				result: { households: 2, residents: 3, updated: 0, rejected: 2 }
			});
			expect(done.progress.done).toBe(done.progress.total);

			const entries = await db.store.auditEntries({ communityCode: COMMUNITY_A, limit: 50 });
			expect(entries.find((e) => e.action === 'import')).toMatchObject({
				userId: fx.users.head_a.id,
				subjectType: 'community',
				subjectId: COMMUNITY_A,
				details: {
					importId: first.id,
					fileName: '台账.xlsx',
					households: 2,
					residents: 3,
					updated: 0,
					rejected: 2
				}
			});
		});

		it('answers 409 to a second commit', async () => {
			const res = await commit(head, first.id);
			expect(res.status).toBe(409);
			expect(((await res.json()) as { error: string }).error).toBe('conflict');
			expect((await residentsOfA()).size).toBe(3);
		});

		it('gives the rejected rows back with their cells as read and a 问题 column', async () => {
			const book = await readBook(await head.request(`/imports/${first.id}/rejected.xlsx`));
			const rows = rowsOf(book.worksheets[0]);
			expect(rows[0]).toEqual([
				'户号',
				'所属网格',
				'住址',
				'户主姓名',
				'姓名',
				'与户主关系',
				'公民身份号码',
				'性别',
				'出生日期',
				'手机号码',
				'人员类别',
				'座机',
				PROBLEM_HEADER
			]);
			expect(rows).toHaveLength(3);
			expect(rows[1].slice(0, 7)).toEqual([
				'H2',
				'第二网格',
				'民生路2号',
				'王小明',
				'赵桂兰',
				'母亲',
				badCheck(ZHAO)
			]);
			expect(rows[1][12]).toMatch(/^公民身份号码：\S+/);
			expect(rows[2][4]).toBe('孙丽');
			expect(rows[2][10]).toBe('外地人员');
			expect(rows[2][12]).toMatch(/^人员类别：.*外地人员/);
			expect(book.worksheets[0].getColumn(7).numFmt).toBe('@');
		});

		it('gives a blank template that reads back with no rows', async () => {
			const book = await readBook(await head.request('/imports/households/template.xlsx'));
			expect(book.worksheets.map((s) => s.name)).toEqual(['台账', '说明']);
			const sheet = book.worksheets[0];
			expect(rowsOf(sheet)).toEqual([TEMPLATE_COLUMNS.map((k) => HEADER_OF[k])]);
			expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
			const col = (key: (typeof TEMPLATE_COLUMNS)[number]) =>
				sheet.getColumn(TEMPLATE_COLUMNS.indexOf(key) + 1);
			for (const key of ['idNumber', 'phone', 'landline'] as const)
				expect(col(key).numFmt, key).toBe('@');
			const sex = col('sex').letter;
			expect(sheet.getCell(`${sex}2`).dataValidation).toMatchObject({
				type: 'list',
				formulae: ['"男,女"']
			});
			expect(sheet.getCell(`${col('tags').letter}9`).dataValidation.type).toBe('list');
			const help = rowsOf(book.worksheets[1]).map((r) => r.join(' '));
			for (const header of ['身份证号', '小区', '楼栋', '单元', '房号', '人员类别'])
				expect(
					help.some((line) => line.startsWith(header)),
					header
				).toBe(true);
			expect(help.find((l) => l.startsWith('地址'))).toMatch(/小区.*楼栋.*单元.*房号/);

			const bytes = new Uint8Array(
				await (await head.request('/imports/households/template.xlsx')).arrayBuffer()
			);
			const blank = await preview(head, bytes, 'template.xlsx');
			expect(blank.counts).toEqual({
				rows: 0,
				households: 0,
				residents: 0,
				updated: 0,
				unchanged: 0,
				rejected: 0
			});
		});

		it('exports the residents so that importing the file back changes nothing', async () => {
			for (const [who, names] of [
				['head_a', (n: string) => n],
				['street', maskName]
			] as const) {
				const caller = await client(who);
				const res = await caller.request(`/communities/${COMMUNITY_A}/residents.xlsx`);
				expect(res.headers.get('cache-control')).toBe('no-store');
				const bytes = new Uint8Array(await res.clone().arrayBuffer());
				const book = await readBook(res);
				const rows = rowsOf(book.worksheets[0]);
				expect(rows[0]).toEqual(TEMPLATE_COLUMNS.map((k) => HEADER_OF[k]));
				expect(rows).toHaveLength(1 + GOOD.length);
				const at = (key: (typeof TEMPLATE_COLUMNS)[number]) => TEMPLATE_COLUMNS.indexOf(key);
				const people = await residentsOfA();
				for (const person of GOOD) {
					const row = rows.find((r) => r[at('name')] === names(person.name))!;
					expect(row, person.name).toBeDefined();
					const stored = [...people.entries()].find(([n]) => n === person.name)![1];
					expect(row[at('householdNo')]).toBe(stored.householdId);
					expect(row[at('idNumber')]).toBe(maskIdNumber(person.id));
					expect(row[at('residentId')]).toMatch(/^[0-9a-f-]{36}$/);
				}
				const wang = rows.find((r) => r[at('name')] === names('王小明'))!;
				expect(wang[at('phone')]).toBe('138****1111');
				expect(wang[at('tags')]).toBe('低保、残疾');
				expect(wang[at('birthDate')]).toBe('1980');
				expect(wang[at('sex')]).toBe('男');
				const zhang = rows.find((r) => r[at('name')] === names('张建国'))!;
				expect(zhang[at('landline')]).toBe(maskLandline('0771-5551234'));
				expect(zhang[at('tags')]).toBe('独居老人');
				expect(zhang[at('relation')]).toBe('户主');
				expect(JSON.stringify(rows)).not.toMatch(/(?<![\w-])(1[3-9]\d{9}|\d{17}[\dX])(?![\w-])/);

				const back = await preview(caller, bytes, 'residents.xlsx');
				expect(back.counts, who).toMatchObject({
					rows: GOOD.length,
					households: 0,
					residents: 0,
					updated: 0,
					unchanged: GOOD.length,
					rejected: 0
				});
			}
			const exports = (
				await db.store.auditEntries({ communityCode: COMMUNITY_A, limit: 50 })
			).filter((e) => e.action === 'export');
			expect(exports.map((e) => e.details)).toEqual([
				{ rows: GOOD.length, format: 'xlsx' },
				{ rows: GOOD.length, format: 'xlsx' }
			]);
		});

		it('takes the raw file as the body with ?name=, and names the file when it cannot be read', async () => {
			const raw = await uploadRaw(
				head,
				await rosterXlsx(GOOD),
				XLSX,
				`community=${COMMUNITY_A}&name=${encodeURIComponent('二季度台账.xlsx')}`
			);
			expect(raw.status, await raw.clone().text()).toBe(200);
			expect(await raw.json()).toMatchObject({
				fileName: '二季度台账.xlsx',
				counts: { households: 0, residents: 0, unchanged: GOOD.length }
			});

			const garbage = await uploadRaw(
				head,
				new TextEncoder().encode('PK\u0003\u0004 not a zip'),
				XLSX
			);
			expect(garbage.status).toBe(400);
			const body = (await garbage.json()) as Record<string, string>;
			expect(body).toMatchObject({ error: 'invalid_input', field: 'file' });
			expect(body.message).toMatch(/^file: /);
			expect(body.code).toMatch(/^(format|empty|no_header|no_sheet|no_name_column)$/);

			// No 姓名 column: the columns read come back, to choose the names' column from.
			const csv = new TextEncoder().encode('户号,住址,称呼\nH1,民生路1号,张三\n');
			const noName = await uploadRaw(head, csv, 'text/csv');
			expect(noName.status).toBe(400);
			const unnamed = (await noName.json()) as {
				code: string;
				context: { header: string[]; columns: { index: number; field: string | null }[] };
			};
			expect(unnamed.code).toBe('no_name_column');
			expect(unnamed.context.header).toEqual(['户号', '住址', '称呼']);
			expect(unnamed.context.columns.map((c) => c.field)).toEqual(['householdNo', 'address', null]);
			const mapped = await uploadRaw(
				head,
				csv,
				'text/csv',
				`community=${COMMUNITY_A}&mapping=${encodeURIComponent('{"name":2}')}`
			);
			expect(mapped.status, await mapped.clone().text()).toBe(200);
			expect(await mapped.json()).toMatchObject({ counts: { rows: 1 } });

			const empty = await uploadRaw(head, new Uint8Array(0), 'text/csv');
			expect(empty.status).toBe(400);
			expect(await empty.json()).toMatchObject({ field: 'file' });

			const mapping = await uploadForm(
				head,
				await rosterXlsx(GOOD),
				'x.xlsx',
				`community=${COMMUNITY_A}&mapping=${encodeURIComponent('{"colour":1}')}`
			);
			expect(mapping.status).toBe(400);
			expect(await mapping.json()).toMatchObject({ field: 'mapping' });
		});

		it('refuses a file above 32 MiB with 413, and takes one of 9 MiB', async () => {
			const big = new Uint8Array(32 * 1024 * 1024 + 1);
			const res = await uploadRaw(head, big, 'text/csv');
			expect(res.status).toBe(413);
			expect(await res.json()).toMatchObject({ error: 'payload_too_large', field: 'file' });
			// Above the API's usual 8 MiB limit, the upload is still read (and found not a roster).
			const nine = new Uint8Array(9 * 1024 * 1024).fill(0x41);
			const read = await uploadRaw(head, nine, 'text/csv');
			expect(read.status).toBe(400);
			expect(await read.json()).toMatchObject({ field: 'file', code: 'no_header' });
		});

		it('commits a preview through another server process on the same database', async () => {
			const made = await preview(head, await rosterXlsx([...GOOD, { ...PEOPLE[4], tags: '高龄' }]));
			expect(made.counts).toMatchObject({ residents: 1, households: 1, rejected: 0 });
			const second = openStore(db.url);
			try {
				const other = testApp(second, () => new Date(clock));
				const res = await commit(await client('head_a', other), made.id);
				expect(res.status, await res.clone().text()).toBe(200);
				expect(await res.json()).toEqual({ households: 1, residents: 1, updated: 0, rejected: 0 });
			} finally {
				await second.close();
			}
			expect((await residentsOfA()).has('孙丽')).toBe(true);
			expect((await commit(head, made.id)).status).toBe(409);
		});

		it('lets one of two simultaneous commits win, and makes a failed commit a preview again', async () => {
			const zhou: Person = {
				...PEOPLE[0],
				householdNo: 'H9',
				address: '民生路9号',
				head: '周海',
				name: '周海',
				id: idNumber('450102', '19700505', '679'),
				birth: '',
				phone: '',
				tags: ''
			};
			const made = await preview(head, await rosterXlsx([zhou]));
			expect(made.counts).toMatchObject({ households: 1, residents: 1, rejected: 0 });

			// A database that fails in the middle of the commit (the community's rows cannot be read).
			let fail = true;
			const faulty = new Proxy(db.store, {
				get(target, key, receiver) {
					if (key === 'communityRoster' && fail)
						return () => {
							fail = false;
							return Promise.reject(new Error('connection lost'));
						};
					const value: unknown = Reflect.get(target, key, receiver);
					return typeof value === 'function' ? value.bind(target) : value;
				}
			});
			const broken = testApp(faulty, () => new Date(clock));
			const failed = await commit(await client('head_a', broken), made.id);
			expect(failed.status).toBe(500);
			const again = (await (await head.request(`/imports/${made.id}`)).json()) as Preview;
			expect(again).toMatchObject({ status: 'preview', result: null });

			const answers = await Promise.all([commit(head, made.id), commit(head, made.id)]);
			expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
			expect((await residentsOfA()).has('周海')).toBe(true);
			const imports = (
				await db.store.auditEntries({ communityCode: COMMUNITY_A, limit: 50 })
			).filter(
				(e) =>
					e.action === 'import' &&
					e.details &&
					(e.details as { importId?: string }).importId === made.id
			);
			expect(imports).toHaveLength(1);
		});

		it('stores the progress of a large commit chunk by chunk', async () => {
			const people: Person[] = Array.from({ length: 2500 }, (_, i) => ({
				...PEOPLE[0],
				householdNo: `B${Math.floor(i / 2)}`,
				grid: '第二网格',
				address: `建设路${Math.floor(i / 2) + 1}号`,
				head: `${'赵钱孙李周吴郑王'[i % 8]}${'一二三四五六七八九十'[Math.floor(i / 8) % 10]}${Math.floor(i / 80)}`,
				name: `${'赵钱孙李周吴郑王'[i % 8]}${'一二三四五六七八九十'[Math.floor(i / 8) % 10]}${Math.floor(i / 80)}`,
				relation: i % 2 === 0 ? '户主' : '配偶',
				id: '',
				sex: '',
				birth: '',
				phone: '',
				landline: '',
				tags: ''
			}));
			const made = await preview(head, await rosterXlsx(people));
			expect(made.counts).toMatchObject({ households: 1250, residents: 2500, rejected: 0 });
			const seen: { status: string; done: number; total: number }[] = [];
			let finished = false;
			const watch = (async () => {
				while (!finished) {
					const row = await db.store.imports().get(made.id);
					seen.push({ status: row!.status, done: row!.progressDone, total: row!.progressTotal });
					await new Promise((resolve) => setTimeout(resolve, 5));
				}
			})();
			const res = await commit(head, made.id);
			finished = true;
			await watch;
			expect(res.status, await res.clone().text()).toBe(200);
			const during = seen.filter((s) => s.status === 'committing');
			for (const s of during) expect(s.total).toBe(2500);
			// The reads interleave with the commit's chunks on both databases (the engine yields
			// between transactions, SQLite's synchronous driver included): at least one chunk was
			// reported before the last one was written.
			expect(during.some((s) => s.done > 0 && s.done < 2500)).toBe(true);
			const done = (await (await head.request(`/imports/${made.id}`)).json()) as Preview;
			expect(done.progress).toEqual({ done: 2500, total: 2500 });
		});

		it('lets a preview expire after a day, and the retention job delete it', async () => {
			const made = await preview(head, await rosterXlsx(GOOD));
			clock += DAY_MS + 1000;
			try {
				expect((await head.request(`/imports/${made.id}`)).status).toBe(404);
				expect((await commit(head, made.id)).status).toBe(404);
				expect(await db.store.imports().get(made.id)).not.toBeNull();
				expect(await purgeExpiredImports(db.store, new Date(clock))).toBeGreaterThanOrEqual(1);
				expect(await db.store.imports().get(made.id)).toBeNull();
			} finally {
				clock -= DAY_MS + 1000;
			}
		});
	});
}

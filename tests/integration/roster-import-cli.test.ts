// `npx gridcare import-households` as an operator runs it: a real process, real .xlsx and .csv
// files, a real SQLite file (docs/imports.md, README "Command line").
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../src/lib/shared/id-number';
import { openStore } from '../../server/store/index';
import type { Store } from '../../server/store/types';
import { TREE } from './fixtures';

const run = promisify(execFile);
const BIN = new URL('../../bin/gridcare.js', import.meta.url).pathname;
const COMMUNITY = '450102001003';

function idNumber(year: number, n: number): string {
	const first17 = `450102${year}0315${String(n).padStart(3, '0')}`;
	return first17 + idCheckChar(first17);
}

/** A wrong check character: what a typing slip gives. */
function badIdNumber(year: number, n: number): string {
	const good = idNumber(year, n);
	return good.slice(0, 17) + (good[17] === '1' ? '2' : '1');
}

const HEADER = [
	'户号',
	'所属网格',
	'住址',
	'姓名',
	'与户主关系',
	'公民身份号码',
	'手机号码',
	'人员类别'
];

/** The rows of the roster: a title row above the header as offices keep it. */
function rosterRows(): (string | number)[][] {
	return [
		[
			'网格1',
			'第一网格',
			'星光小区1栋1单元101',
			'张伟',
			'户主',
			idNumber(1950, 1),
			'138 1234 5678',
			'独居老人'
		],
		['网格1', '第一网格', '星光小区1栋1单元101', '张小明', '子女', idNumber(1980, 2), '', ''],
		['网格2', '第二网格', '星光小区2栋3单元502', '王强', '户主', badIdNumber(1960, 3), '', ''],
		['网格3', '第九网格', '星光小区9栋101', '李娜', '户主', idNumber(1962, 4), '', '低保'],
		[
			'网格4',
			'第二网格',
			'星光小区4栋101',
			'赵敏',
			'户主',
			idNumber(1945, 5),
			'+86 13900001111',
			''
		]
	];
}

async function writeXlsx(path: string, rows: (string | number)[][]): Promise<void> {
	const workbook = new ExcelJS.Workbook();
	const sheet = workbook.addWorksheet('台账');
	sheet.addRow(['兴宁社区户籍台账']);
	sheet.mergeCells(1, 1, 1, HEADER.length);
	sheet.addRow(HEADER);
	for (const row of rows) sheet.addRow(row);
	writeFileSync(path, new Uint8Array(await workbook.xlsx.writeBuffer()));
}

describe('gridcare import-households (sqlite)', () => {
	let dir: string;
	let env: NodeJS.ProcessEnv;
	let store: Store;
	let xlsx: string;
	const cli = (...args: string[]) =>
		run(process.execPath, [BIN, 'import-households', ...args], { env, timeout: 60_000 });
	const fails = async (...args: string[]) => {
		try {
			await cli(...args);
		} catch (error) {
			const { code, stderr, stdout } = error as { code: number; stderr: string; stdout: string };
			return { code, stderr, stdout };
		}
		throw new Error(`expected "${args.join(' ')}" to fail`);
	};
	const lines = (stdout: string) => stdout.trim().split('\n');
	const summaryOf = (stdout: string) => JSON.parse(lines(stdout).at(-1)!) as Record<string, number>;

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'gridcare-import-'));
		env = { ...process.env, DATABASE_URL: `file:${join(dir, 'cli.db')}` };
		store = openStore(env.DATABASE_URL!);
		await store.migrate();
		await store.upsertDivisions(TREE);
		await store.createGrid({ communityCode: COMMUNITY, name: '第一网格' });
		await store.createGrid({ communityCode: COMMUNITY, name: '第二网格' });
		xlsx = join(dir, '台账.xlsx');
		await writeXlsx(xlsx, rosterRows());
	});
	afterAll(async () => {
		await store?.close();
		rmSync(dir, { recursive: true, force: true });
	});

	const households = async () => {
		const grids = await store.gridsOfCommunity(COMMUNITY);
		return (await Promise.all(grids.map((g) => store.householdsOfGrid(g.id)))).flat();
	};

	it('prints the same lines and counts in a dry run, and writes nothing', async () => {
		const { stdout } = await cli('--community', COMMUNITY, '--file', xlsx, '--dry-run');
		expect(lines(stdout)).toEqual([
			'row 5: 公民身份号码: 校验位不正确',
			'row 6: 所属网格: 本社区没有名为“第九网格”的网格',
			'{"households":2,"residents":3,"updated":0,"rejected":2}'
		]);
		expect(await households()).toEqual([]);
	});

	it('imports the valid rows, prints each problem by row, and the summary last', async () => {
		const { stdout } = await cli('--community', COMMUNITY, '--file', xlsx);
		const out = lines(stdout);
		expect(out.slice(0, -1)).toEqual([
			'row 5: 公民身份号码: 校验位不正确',
			'row 6: 所属网格: 本社区没有名为“第九网格”的网格'
		]);
		expect(summaryOf(stdout)).toEqual({ households: 2, residents: 3, updated: 0, rejected: 2 });
		const rows = await households();
		expect(rows.map((h) => h.address).sort()).toEqual(['星光小区1栋1单元101', '星光小区4栋101']);
		expect(rows.find((h) => h.address === '星光小区1栋1单元101')?.tags).toEqual(['elderly_alone']);
		const audit = await store.auditEntries({ communityCode: COMMUNITY, limit: 10 });
		expect(audit[0]).toMatchObject({ action: 'roster_imported', subjectId: COMMUNITY });
	});

	it('changes nothing when the same file is imported again', async () => {
		const { stdout } = await cli('--community', COMMUNITY, '--file', xlsx);
		expect(summaryOf(stdout)).toEqual({ households: 0, residents: 0, updated: 0, rejected: 2 });
	});

	it('creates a grid the file names when asked, and reads a CSV file', async () => {
		const { stdout } = await cli('--community', COMMUNITY, '--file', xlsx, '--create-grids');
		expect(summaryOf(stdout)).toEqual({ households: 1, residents: 1, updated: 0, rejected: 1 });
		expect((await store.gridsOfCommunity(COMMUNITY)).map((g) => g.name)).toContain('第九网格');
		const csv = join(dir, '台账.csv');
		const edited = rosterRows().map((r) =>
			r[3] === '赵敏' ? [...r.slice(0, 6), '13700002222', ''] : r
		);
		writeFileSync(csv, [HEADER, ...edited].map((r) => r.join(',')).join('\n') + '\n');
		const again = await cli('--community', COMMUNITY, '--file', csv);
		expect(lines(again.stdout)).toEqual([
			'row 4: 公民身份号码: 校验位不正确',
			'{"households":0,"residents":0,"updated":1,"rejected":1}'
		]);
	});

	it('exits non-zero with a one-line reason when the file cannot be read', async () => {
		const text = join(dir, 'notes.xlsx');
		writeFileSync(text, 'not a workbook');
		for (const args of [
			['--community', COMMUNITY, '--file', text],
			['--community', COMMUNITY, '--file', join(dir, 'missing.xlsx')],
			['--community', '4501020010', '--file', xlsx],
			['--community', COMMUNITY, '--file', xlsx, '--sheet', '没有这个表']
		]) {
			const failure = await fails(...args);
			expect(failure.code, args.join(' ')).not.toBe(0);
			expect(failure.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
			expect(failure.stderr).toMatch(/^gridcare: (file|community): /u);
		}
	});
});

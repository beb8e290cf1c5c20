// The roster import's engine on both databases (docs/imports.md, "Matching rows" and
// "Writing"): records become households and residents through the one write path, a second
// import changes nothing, matched people are updated, and the roll-up and device pull follow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../src/lib/shared/id-number';
import { maskName, maskPhone } from '../../src/lib/shared/mask';
import { importRoster } from '../../server/imports/engine';
import { readRoster } from '../../server/imports/read';
import type { RosterRecord, RowProblem } from '../../server/imports/types';
import { pullPage } from '../../server/sync/pull';
import { SYSTEM, WriteRefusal, type Actor } from '../../server/write';
import type { Store } from '../../server/store/types';
import { messyRoster } from '../fixtures/roster-files';
import { seedFixture, type Fixture } from './fixtures';
import { addHouseholds, addResidents } from './roster';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const A = '450102001003';
const B = '450102001004';
/** A community of another street. */
const C = '450102002001';
/** A community that starts empty, for generated files. */
const D = '450102001005';
const clock = () => ({ now: new Date(), timeZone: 'Asia/Shanghai' });

/** A valid 18-character ID number born in `year`, told apart by `n`. */
function idNumber(year: number, n: number): string {
	const first17 = `450102${year}0315${String(n).padStart(3, '0')}`;
	return first17 + idCheckChar(first17);
}

let nextRow = 2;
/** A record as the reader gives it, on the next row number. */
function rec(fields: Omit<RosterRecord, 'row'>): RosterRecord {
	return { row: nextRow++, ...fields };
}

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`roster import engine (${dialect})`, () => {
		let db: TestStore;
		let store: Store;
		let fx: Fixture;
		let gridC: string;

		const run = (
			records: RosterRecord[],
			options: {
				community?: string;
				actor?: Actor;
				dryRun?: boolean;
				createGrids?: boolean;
				problems?: RowProblem[];
			} = {}
		) =>
			importRoster(
				store,
				options.actor ?? SYSTEM,
				{
					communityCode: options.community ?? A,
					records,
					problems: options.problems ?? [],
					createGrids: options.createGrids ?? false,
					dryRun: options.dryRun ?? false
				},
				clock()
			);

		/** Live households of a grid, by address. */
		async function householdsAt(gridId: string) {
			const rows = (await store.householdsOfGrid(gridId)).filter((h) => !h.deleted);
			return new Map(rows.map((h) => [h.address, h]));
		}

		async function residentsAt(householdId: string) {
			return (await store.residentsOfHousehold(householdId)).filter((r) => !r.deleted);
		}

		async function householdFigure(code: string): Promise<number> {
			const rows = await store.rollup().figures([code], ['now']);
			return rows.find((r) => r.metric === 'households')?.value ?? 0;
		}

		beforeAll(async () => {
			db = await openTestStore(dialect);
			store = db.store;
			fx = await seedFixture(store);
			await store.upsertDivisions([
				{ code: '450102002', name: '朝阳街道', level: 'street', parentCode: '450102' },
				{ code: C, name: '朝阳社区居委会', level: 'community', parentCode: '450102002' },
				{ code: D, name: '长堽社区居委会', level: 'community', parentCode: '450102001' }
			]);
			gridC = (await store.createGrid({ communityCode: C, name: '第一网格' })).id;
		});
		afterAll(async () => db?.dispose());

		// The first roster: three households by address (the 户主 row not always first), one by
		// 户编号 with its address only on its second row.
		const first = [
			rec({
				grid: '第一网格',
				address: '星光小区1栋1单元101',
				name: '张伟',
				relation: '户主',
				idNumber: idNumber(1950, 1),
				phone: '13812345678',
				tags: ['elderly_alone']
			}),
			rec({
				grid: '第一网格',
				address: '星光小区 1栋1单元101 ',
				name: '张小明',
				relation: '子女',
				idNumber: idNumber(1980, 2),
				tags: ['disabled']
			}),
			rec({
				grid: '第二网格',
				address: '星光小区2栋3单元502',
				name: '李娜',
				relation: '配偶',
				sex: 'F',
				birthYear: 1962
			}),
			rec({
				grid: '第二网格',
				address: '星光小区2栋3单元502',
				name: '王强',
				relation: '户主',
				idNumber: idNumber(1960, 3),
				landline: '0771-5551234'
			}),
			rec({
				grid: '第一网格',
				address: '星光小区3栋1单元201',
				name: '赵敏',
				idNumber: idNumber(1945, 4),
				tags: ['low_income'],
				note: '行动不便'
			}),
			rec({ householdNo: 'H-007', grid: '第二网格', name: '陈静', idNumber: idNumber(1990, 5) }),
			rec({
				householdNo: 'H-007',
				grid: '第二网格',
				address: '星光小区5栋2单元301',
				name: '陈小宝',
				relation: '子女'
			})
		];

		it('creates households and residents, with tags, sealed ID numbers and member counts', async () => {
			const outcome = await run(first);
			expect(outcome.problems).toEqual([]);
			expect(outcome.summary).toEqual({ households: 4, residents: 7, updated: 0, rejected: 0 });
			const a1 = await householdsAt(fx.grids.a1);
			const a2 = await householdsAt(fx.grids.a2);
			expect([...a1.keys()].sort()).toEqual(['星光小区1栋1单元101', '星光小区3栋1单元201']);
			expect([...a2.keys()].sort()).toEqual(['星光小区2栋3单元502', '星光小区5栋2单元301']);
			const zhang = a1.get('星光小区1栋1单元101')!;
			expect(zhang.tags.sort()).toEqual(['disabled', 'elderly_alone']);
			expect(zhang.memberCount).toBe(2);
			const people = await residentsAt(zhang.id);
			const head = people.find((p) => p.name === '张伟')!;
			expect(head).toMatchObject({
				relation: '户主',
				phone: '13812345678',
				tags: ['elderly_alone']
			});
			expect(head.idNumberMasked).toBe(`450102********${idNumber(1950, 1).slice(-4)}`);
			expect(head.idHash).toMatch(/^[0-9a-f]{64}$/);
			const chen = await residentsAt(a2.get('星光小区5栋2单元301')!.id);
			expect(chen.map((p) => p.name).sort()).toEqual(['陈小宝', '陈静']);
			const wang = await residentsAt(a2.get('星光小区2栋3单元502')!.id);
			expect(wang.find((p) => p.name === '王强')?.landline).toBe('0771-5551234');
			expect(wang.find((p) => p.name === '李娜')).toMatchObject({ sex: 'F', birthYear: 1962 });
		});

		it('keeps the households figure right at community and province level, as a recompute', async () => {
			const live = (await householdsAt(fx.grids.a1)).size + (await householdsAt(fx.grids.a2)).size;
			expect(await householdFigure(A)).toBe(live);
			expect(await householdFigure('45')).toBe(live);
			const rollup = store.rollup();
			const incremental = await rollup.allFigures();
			await rollup.recompute();
			expect(await rollup.allFigures()).toEqual(incremental);
		});

		it("brings the new households to the grid's workers on their next pull", async () => {
			const principal = { user: fx.users.worker_a1, sessionId: 's', deviceId: 'tab-a1' };
			const page = await pullPage(store, principal, { limit: 1000 }, new Date());
			const pulled = new Set(
				page.changes.filter((c) => c.table === 'households').map((c) => c.rowId)
			);
			const a1 = [...(await householdsAt(fx.grids.a1)).values()].map((h) => h.id);
			const a2 = [...(await householdsAt(fx.grids.a2)).values()].map((h) => h.id);
			for (const id of a1) expect(pulled.has(id)).toBe(true);
			for (const id of a2) expect(pulled.has(id)).toBe(false);
			const residents = page.changes.filter((c) => c.table === 'residents');
			expect(residents.length).toBe(3);
			// Devices receive the masked ID number, never the number itself.
			for (const c of residents) expect(c.fields.idNumber).toBeUndefined();
		});

		it('changes nothing when the same records are imported again', async () => {
			const before = await store.pullChanges({ after: 0, limit: 100_000, communityCodes: [A] });
			const outcome = await run(first);
			expect(outcome.summary).toEqual({ households: 0, residents: 0, updated: 0, rejected: 0 });
			expect(outcome.unchanged).toBe(7);
			const after = await store.pullChanges({ after: 0, limit: 100_000, communityCodes: [A] });
			expect(after.length).toBe(before.length);
		});

		it('updates a changed phone and counts the row once', async () => {
			const changed = first.map((r) =>
				r.name === '张伟' ? { ...r, phone: '13900001111', note: '独居' } : r
			);
			const outcome = await run(changed);
			expect(outcome.summary).toEqual({ households: 0, residents: 0, updated: 1, rejected: 0 });
			const zhang = (await householdsAt(fx.grids.a1)).get('星光小区1栋1单元101')!;
			const head = (await residentsAt(zhang.id)).find((p) => p.name === '张伟')!;
			expect(head).toMatchObject({ phone: '13900001111', note: '独居', relation: '户主' });
			const history = await store.fieldHistory('residents', head.id);
			expect(history.map((h) => h.field)).toEqual(expect.arrayContaining(['phone', 'note']));
		});

		it('updates a registered person from a row with neither 户编号 nor address', async () => {
			const outcome = await run([
				rec({ name: '王强', idNumber: idNumber(1960, 3), phone: '13544445555' })
			]);
			expect(outcome.problems).toEqual([]);
			expect(outcome.summary).toEqual({ households: 0, residents: 0, updated: 1, rejected: 0 });
			const wang = await residentsAt(
				(await householdsAt(fx.grids.a2)).get('星光小区2栋3单元502')!.id
			);
			expect(wang.find((p) => p.name === '王强')?.phone).toBe('13544445555');
			const nobody = rec({ name: '无名', idNumber: idNumber(1961, 12) });
			expect((await run([nobody])).problems).toEqual([
				expect.objectContaining({ row: nobody.row, code: 'required' })
			]);
		});

		it('gives household tags a row brings to an existing household', async () => {
			const outcome = await run([
				rec({
					grid: '第一网格',
					address: '星光小区3栋1单元201',
					name: '赵敏',
					idNumber: idNumber(1945, 4),
					tags: ['low_income', 'advanced_age']
				})
			]);
			expect(outcome.summary).toEqual({ households: 0, residents: 0, updated: 1, rejected: 0 });
			const zhao = (await householdsAt(fx.grids.a1)).get('星光小区3栋1单元201')!;
			expect(zhao.tags.sort()).toEqual(['advanced_age', 'low_income']);
		});

		it('matches a person without ID number by name in the same household', async () => {
			const outcome = await run([
				rec({
					householdNo: 'H-007',
					grid: '第二网格',
					address: '星光小区5栋2单元301',
					name: '陈小宝',
					phone: '13700002222'
				})
			]);
			expect(outcome.summary).toEqual({ households: 0, residents: 0, updated: 1, rejected: 0 });
		});

		it('writes nothing in a dry run, and reports the grids it would create', async () => {
			const gridsBefore = await store.gridsOfCommunity(A);
			const figure = await householdFigure(A);
			const outcome = await run(
				[
					rec({
						grid: '第三网格',
						address: '阳光苑1栋101',
						name: '周杰',
						idNumber: idNumber(1970, 6)
					}),
					rec({
						grid: '第一网格',
						address: '阳光苑2栋101',
						name: '吴磊',
						idNumber: idNumber(1971, 7)
					})
				],
				{ dryRun: true, createGrids: true }
			);
			expect(outcome.summary).toEqual({ households: 2, residents: 2, updated: 0, rejected: 0 });
			expect(outcome.gridsCreated).toEqual(['第三网格']);
			expect(await store.gridsOfCommunity(A)).toEqual(gridsBefore);
			expect([...(await householdsAt(fx.grids.a1)).keys()]).not.toContain('阳光苑2栋101');
			expect(await householdFigure(A)).toBe(figure);
		});

		it('refuses an unknown grid, and creates it when asked', async () => {
			const rows = [
				rec({
					grid: '第三网格',
					address: '阳光苑1栋101',
					name: '周杰',
					idNumber: idNumber(1970, 6)
				})
			];
			const refused = await run(rows);
			expect(refused.summary).toEqual({ households: 0, residents: 0, updated: 0, rejected: 1 });
			expect(refused.problems).toEqual([
				expect.objectContaining({
					row: rows[0].row,
					column: '网格',
					field: 'grid',
					code: 'unknown_grid'
				})
			]);
			const created = await run(rows, { createGrids: true });
			expect(created.summary).toEqual({ households: 1, residents: 1, updated: 0, rejected: 0 });
			expect(created.gridsCreated).toEqual(['第三网格']);
			const grid = (await store.gridsOfCommunity(A)).find((g) => g.name === '第三网格')!;
			expect([...(await householdsAt(grid.id)).keys()]).toEqual(['阳光苑1栋101']);
			expect((await run(rows, { createGrids: true })).summary.households).toBe(0);
		});

		it('imports a person registered in another community and raises the duplicate flag', async () => {
			const id = idNumber(1955, 8);
			const hid = crypto.randomUUID();
			await addHouseholds(store, [
				{ id: hid, gridId: fx.grids.b1, address: '北宁路8号', tags: [] }
			]);
			await addResidents(store, [
				{ id: crypto.randomUUID(), householdId: hid, name: '孙丽', idNumber: id, tags: [] }
			]);
			const outcome = await run([
				rec({ grid: '第一网格', address: '星光小区8栋101', name: '孙丽', idNumber: id })
			]);
			expect(outcome.summary).toEqual({ households: 1, residents: 1, updated: 0, rejected: 0 });
			const flags = await store.duplicateFlags({ communityCode: A });
			expect(flags.length).toBe(1);
			expect((await store.duplicateFlags({ communityCode: B })).length).toBe(1);
		});

		it('refuses a person already in another household of the community', async () => {
			const row = rec({
				grid: '第一网格',
				address: '星光小区9栋101',
				name: '张伟',
				idNumber: idNumber(1950, 1)
			});
			const outcome = await run([row]);
			expect(outcome.summary).toEqual({ households: 0, residents: 0, updated: 0, rejected: 1 });
			expect(outcome.problems).toEqual([
				expect.objectContaining({ row: row.row, column: '身份证号', code: 'other_household' })
			]);
			expect([...(await householdsAt(fx.grids.a1)).keys()]).not.toContain('星光小区9栋101');
		});

		it('imports the first of two rows of the same person and refuses the second', async () => {
			const rows = [
				rec({
					grid: '第一网格',
					address: '星光小区10栋101',
					name: '郑爽',
					idNumber: idNumber(1985, 9)
				}),
				rec({
					grid: '第一网格',
					address: '星光小区10栋101',
					name: '郑爽',
					idNumber: idNumber(1985, 9),
					phone: '13600003333'
				}),
				rec({ grid: '第一网格', address: '星光小区10栋101', name: '郑小小' }),
				rec({ grid: '第一网格', address: '星光小区10栋101', name: '郑小小' })
			];
			const outcome = await run(rows);
			expect(outcome.summary).toEqual({ households: 1, residents: 2, updated: 0, rejected: 2 });
			expect(outcome.problems.map((p) => [p.row, p.code, p.message])).toEqual([
				[rows[1].row, 'duplicate_in_file', `与第 ${rows[0].row} 行是同一人`],
				[rows[3].row, 'duplicate_in_file', `与第 ${rows[2].row} 行是同一人`]
			]);
			const hh = (await householdsAt(fx.grids.a1)).get('星光小区10栋101')!;
			const zheng = (await residentsAt(hh.id)).find((p) => p.name === '郑爽')!;
			expect(zheng.phone).toBeNull();
		});

		it('reads masked cells equal to the stored masks as unchanged, and refuses others', async () => {
			const zhang = (await householdsAt(fx.grids.a1)).get('星光小区1栋1单元101')!;
			const head = (await residentsAt(zhang.id)).find((p) => p.name === '张伟')!;
			const exported = {
				householdNo: zhang.id,
				residentId: head.id,
				masked: {
					name: maskName(head.name),
					idNumber: head.idNumberMasked!,
					phone: maskPhone(head.phone!)
				}
			};
			const same = await run([rec(exported)]);
			expect(same.summary).toEqual({ households: 0, residents: 0, updated: 0, rejected: 0 });
			expect(same.unchanged).toBe(1);
			const edited = await run([rec({ ...exported, relation: '本人' })]);
			expect(edited.summary.updated).toBe(1);
			expect((await store.getResident(head.id))?.relation).toBe('本人');
			const moved = await run([rec({ ...exported, address: '星光小区1栋1单元102' })]);
			expect(moved.summary).toEqual({ households: 0, residents: 0, updated: 0, rejected: 0 });
			expect((await store.getHousehold(zhang.id))?.address).toBe('星光小区1栋1单元102');
			await run([rec({ ...exported, address: zhang.address })]);
			expect((await store.getHousehold(zhang.id))?.address).toBe(zhang.address);
			const wrong = rec({ ...exported, masked: { ...exported.masked, phone: '139****0000' } });
			const refused = await run([wrong]);
			expect(refused.problems).toEqual([
				expect.objectContaining({ row: wrong.row, column: '联系电话', code: 'masked' })
			]);
			const stranger = rec({
				grid: '第一网格',
				address: '星光小区11栋101',
				masked: { name: '钱*' }
			});
			expect((await run([stranger])).problems).toEqual([
				expect.objectContaining({ row: stranger.row, code: 'masked' })
			]);
			const unknown = rec({ residentId: crypto.randomUUID(), name: '钱多' });
			expect((await run([unknown])).problems).toEqual([
				expect.objectContaining({ row: unknown.row, column: '居民编号', code: 'unknown_id' })
			]);
		});

		it('counts the reader’s problem rows as rejected, and refuses a row the schema refuses', async () => {
			const bad = rec({ grid: '第一网格', address: '星光小区12栋101', name: '冯'.repeat(65) });
			const read: RowProblem[] = [
				{
					row: 500,
					column: '身份证号',
					field: 'idNumber',
					code: 'id_check_char',
					message: '校验位不正确'
				},
				{
					row: 500,
					column: '联系电话',
					field: 'phone',
					code: 'phone_format',
					message: '不是手机号'
				}
			];
			const outcome = await run([bad], { problems: read });
			expect(outcome.summary).toEqual({ households: 0, residents: 0, updated: 0, rejected: 2 });
			expect(outcome.problems.at(-1)).toMatchObject({ row: 500 });
			expect(outcome.problems[0]).toMatchObject({ row: bad.row, column: '姓名', code: 'refused' });
		});

		it('imports a generated messy roster as its generator expects, and again changes nothing', async () => {
			const file = await messyRoster({
				people: 300,
				seed: 7,
				format: 'xlsx',
				grids: ['一网格', '二网格', '三网格'],
				duplicates: 4,
				today: new Date('2026-12-01T00:00:00Z')
			});
			const parsed = await readRoster(file.bytes, {
				fileName: file.fileName,
				today: new Date('2026-12-01T00:00:00Z')
			});
			const input = {
				communityCode: D,
				records: parsed.records,
				problems: parsed.problems,
				createGrids: true,
				dryRun: false,
				columns: parsed.columns
			};
			const progress: [number, number][] = [];
			const outcome = await importRoster(store, SYSTEM, input, clock(), (done, total) =>
				progress.push([done, total])
			);
			expect(outcome.summary).toEqual(file.expected.summary);
			expect(outcome.gridsCreated.sort()).toEqual(['一网格', '三网格', '二网格']);
			const problems = outcome.problems.map((p) => [p.row, p.column, p.code]);
			const expected = [...file.expected.problems, ...file.expected.duplicates]
				.sort((a, b) => a.row - b.row)
				.map((p) => [p.row, p.column, p.code]);
			expect(problems).toEqual(expected);
			expect(progress.at(-1)).toEqual([
				file.expected.summary.residents,
				file.expected.summary.residents
			]);
			const grids = (await store.gridsOfCommunity(D)).map((g) => g.id);
			expect(await store.countHouseholds(grids)).toBe(file.expected.summary.households);
			expect(await store.countResidents(grids)).toBe(file.expected.summary.residents);
			expect(await householdFigure(D)).toBe(file.expected.summary.households);
			const again = await importRoster(store, SYSTEM, input, clock());
			expect(again.summary).toEqual({
				households: 0,
				residents: 0,
				updated: 0,
				rejected: file.expected.summary.rejected
			});
		});

		it("lets a street officer import in their street's communities, and refuses others", async () => {
			const street = fx.users.street;
			const inB = await run(
				[rec({ address: '北宁路9号', name: '何平', idNumber: idNumber(1966, 10) })],
				{ community: B, actor: street }
			);
			expect(inB.summary).toEqual({ households: 1, residents: 1, updated: 0, rejected: 0 });
			const outside = run(
				[rec({ address: '朝阳路1号', name: '吕方', idNumber: idNumber(1967, 11) })],
				{ community: C, actor: street }
			);
			await expect(outside).rejects.toBeInstanceOf(WriteRefusal);
			await expect(outside).rejects.toMatchObject({ kind: 'forbidden' });
			expect((await householdsAt(gridC)).size).toBe(0);
			await expect(
				run([rec({ address: '无名路1号', name: '吕方' })], { community: '450102001099' })
			).rejects.toMatchObject({ kind: 'missing' });
			const worker = run([rec({ grid: '第二网格', address: '星光小区13栋101', name: '施展' })], {
				actor: fx.users.worker_a1
			});
			await expect(worker).rejects.toMatchObject({ kind: 'forbidden' });
		});
	});
}

import { Dexie } from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openTestDb } from '$lib/sync/test-support';
import { ROUTINE_TEMPLATE_ID, shippedTemplate } from '$lib/shared/templates';
import type { GridcareDb } from './db';
import { StorageFullError } from './quota';
import {
	addHousehold,
	addResident,
	discardRejected,
	householdsOfGrid,
	myOpenIncidents,
	outboxCounts,
	pendingMoves,
	recordCheckin,
	recordVisit,
	reportIncident,
	residentsOfHousehold,
	retryRejected,
	updateHousehold,
	updateIncident,
	updateResident,
	ValidationError,
	visitsOfHousehold
} from './repositories';

const GRID = '0196f1d2-0000-7000-8000-000000000001';
const FLOOD_ID = '00000000-0000-4000-8000-000000000003';
/** A county's own template, as a round pins it. */
const CUSTOM_ID = '0196f1d2-0000-7000-8000-0000000000e1';
// A valid GB 11643 number (check character X).
const ID_NUMBER = '11010519491231002X';

let db: GridcareDb;
afterEach(async () => {
	db?.close();
});

async function everything() {
	return {
		households: await db.households.toArray(),
		residents: await db.residents.toArray(),
		visits: await db.visits.toArray(),
		outbox: await db.outbox.toArray()
	};
}

describe('local writes', () => {
	it('writes the row and its outbox entry together, then tells the sync engine', async () => {
		db = openTestDb();
		const heard = vi.fn();
		db.onLocalWrite(heard);
		const household = await addHousehold(db, {
			gridId: GRID,
			address: ' 幸福路 1 号 ',
			tags: ['elderly_alone']
		});
		expect(household).toMatchObject({
			gridId: GRID,
			address: '幸福路 1 号',
			tags: ['elderly_alone'],
			lat: null
		});
		expect(household.version).toBeUndefined();
		const [entry] = await db.outbox.toArray();
		expect(entry).toMatchObject({
			state: 'pending',
			attempts: 0,
			table: 'households',
			rowId: household.id,
			mutation: {
				op: 'insert',
				table: 'households',
				rowId: household.id,
				fields: { address: '幸福路 1 号' }
			}
		});
		expect(entry.mutation.id).not.toBe(household.id);
		expect(await db.households.get(household.id)).toEqual(household);
		expect(heard).toHaveBeenCalledTimes(1);
	});

	it('opens its transactions with strict durability', async () => {
		db = openTestDb();
		const durability = await db.transaction('rw', db.outbox, async (tx) => {
			await db.outbox.count();
			return tx.idbtrans.durability;
		});
		expect(durability).toBe('strict');
	});

	it('a validation error names the field and writes nothing', async () => {
		db = openTestDb();
		const heard = vi.fn();
		db.onLocalWrite(heard);
		const household = await addHousehold(db, { gridId: GRID, address: 'A' });
		heard.mockClear();
		const before = await everything();
		const attempts: [Promise<unknown>, string][] = [
			[addHousehold(db, { gridId: 'not-a-uuid', address: 'B' }), 'gridId'],
			[addResident(db, { householdId: household.id, name: '张三', phone: '12345' }), 'phone'],
			[
				addResident(db, {
					householdId: household.id,
					name: '张三',
					idNumber: '110105194912310021'
				}),
				'idNumber'
			],
			[
				recordVisit(db, {
					householdId: household.id,
					visitedAt: '2025-06-01T09:00:00+08:00',
					outcome: 'visited',
					checks: [{ residentId: GRID, temperature: 45 }]
				}),
				'checks.0.temperature'
			],
			[updateHousehold(db, household.id, {}), 'fields'],
			[updateHousehold(db, household.id, { gridId: GRID } as never), 'gridId']
		];
		for (const [attempt, field] of attempts) {
			const error = await attempt.catch((e: unknown) => e);
			expect(error).toBeInstanceOf(ValidationError);
			expect((error as ValidationError).field).toBe(field);
			expect((error as ValidationError).message).toMatch(
				new RegExp(`^${field.replace(/\./g, '\\.')}: `)
			);
		}
		expect(await everything()).toEqual(before);
		expect(heard).not.toHaveBeenCalled();
	});

	it('a failing write inside the transaction leaves neither row nor outbox entry', async () => {
		db = openTestDb();
		const heard = vi.fn();
		db.onLocalWrite(heard);
		db.outbox.hook('creating', () => {
			throw new DOMException('', 'QuotaExceededError');
		});
		// A full disk comes out as one kind, whatever the browser called it (quota.ts).
		await expect(addHousehold(db, { gridId: GRID, address: 'A' })).rejects.toBeInstanceOf(
			StorageFullError
		);
		expect(await db.households.count()).toBe(0);
		expect(await db.outbox.count()).toBe(0);
		expect(heard).not.toHaveBeenCalled();
	});

	it('a failing update leaves the row as it was', async () => {
		db = openTestDb();
		const household = await addHousehold(db, { gridId: GRID, address: 'A' });
		db.outbox.hook('creating', () => {
			throw new Error('disk full');
		});
		await expect(updateHousehold(db, household.id, { address: 'B' })).rejects.toThrow('disk full');
		expect(await db.households.get(household.id)).toEqual(household);
		expect(await db.outbox.count()).toBe(1);
	});

	it('an update is based on the row version and keeps the replaced server value aside', async () => {
		db = openTestDb();
		await db.households.put({
			id: GRID,
			gridId: GRID,
			address: 'old',
			tags: [],
			lat: null,
			lng: null,
			version: 7
		});
		const row = await updateHousehold(db, GRID, { address: 'new', tags: ['key_care'] });
		expect(row).toMatchObject({
			address: 'new',
			tags: ['key_care'],
			version: 7,
			hasLocalEdits: 1,
			serverValues: { address: 'old', tags: [] }
		});
		await updateHousehold(db, GRID, { address: 'newer' });
		// The remembered server value is the one before the first local edit.
		expect((await db.households.get(GRID))?.serverValues).toEqual({ address: 'old', tags: [] });
		const entries = await db.outbox.toArray();
		expect(entries.map((e) => [e.mutation.op, e.mutation.baseVersion, e.mutation.fields])).toEqual([
			['update', 7, { address: 'new', tags: ['key_care'] }],
			['update', 7, { address: 'newer' }]
		]);
		// Later edits carry larger ids: the server's merge lets the later edit of the same base win.
		expect(entries[1].mutation.id > entries[0].mutation.id).toBe(true);
	});

	it('an update of a row whose insert is not yet acknowledged has no base version yet', async () => {
		db = openTestDb();
		const household = await addHousehold(db, { gridId: GRID, address: 'A' });
		await updateHousehold(db, household.id, { address: 'B' });
		const [, update] = await db.outbox.toArray();
		expect(update.mutation.baseVersion).toBeUndefined();
	});

	it('refuses an update of an unknown row and an illegal incident step', async () => {
		db = openTestDb();
		await expect(updateHousehold(db, GRID, { address: 'x' })).rejects.toMatchObject({
			field: 'rowId'
		});
		const incident = await reportIncident(db, {
			gridId: GRID,
			category: 'safety',
			severity: 'high',
			description: '楼道堆物'
		});
		expect(incident.status).toBe('reported');
		await expect(updateIncident(db, incident.id, { status: 'closed' })).rejects.toMatchObject({
			field: 'status'
		});
		await updateIncident(db, incident.id, { status: 'accepted' });
		await updateIncident(db, incident.id, { status: 'dispatched' });
		expect((await db.incidents.get(incident.id))?.status).toBe('dispatched');
	});

	it("lists a worker's open incidents and keeps a move's note in the outbox, not on the row", async () => {
		db = openTestDb();
		const worker = '0196f1d2-0000-7000-8000-0000000000aa';
		const rows = [
			{ id: '0196f1d2-0000-7000-8000-000000000101', status: 'dispatched', due: '2026-03-02' },
			{ id: '0196f1d2-0000-7000-8000-000000000102', status: 'in_progress', due: '2026-03-01' },
			{ id: '0196f1d2-0000-7000-8000-000000000103', status: 'resolved', due: '2026-02-28' }
		] as const;
		await db.incidents.bulkPut(
			rows.map((r) => ({
				id: r.id,
				version: 3,
				gridId: GRID,
				householdId: null,
				category: 'safety' as const,
				severity: 'high' as const,
				description: '楼道堆物',
				status: r.status,
				dueAt: `${r.due}T00:00:00.000Z`,
				assigneeId: worker
			}))
		);
		// Soonest due first; a handled one waits for the head, not for the worker.
		expect((await myOpenIncidents(db, worker)).map((r) => r.id)).toEqual([rows[1].id, rows[0].id]);
		expect(await myOpenIncidents(db, GRID)).toEqual([]);

		await updateIncident(db, rows[0].id, { status: 'in_progress', note: ' 已上门查看 ' });
		await updateIncident(db, rows[0].id, { status: 'resolved', note: '已清理' });
		const row = await db.incidents.get(rows[0].id);
		expect(row?.status).toBe('resolved');
		expect(row).not.toHaveProperty('note');
		expect(row?.serverValues).toEqual({ status: 'dispatched' });
		expect(
			(await pendingMoves(db, rows[0].id)).map(({ to, note, state }) => ({ to, note, state }))
		).toEqual([
			{ to: 'in_progress', note: '已上门查看', state: 'pending' },
			{ to: 'resolved', note: '已清理', state: 'pending' }
		]);
		const [first] = await db.outbox.toArray();
		expect(first.mutation).toMatchObject({
			table: 'incidents',
			op: 'update',
			rowId: rows[0].id,
			baseVersion: 3,
			fields: { status: 'in_progress', note: '已上门查看' }
		});
	});

	it('keeps only the masked ID number on the device; the full one travels in the outbox', async () => {
		db = openTestDb();
		const household = await addHousehold(db, { gridId: GRID, address: 'A' });
		const resident = await addResident(db, {
			householdId: household.id,
			name: '李四',
			idNumber: ID_NUMBER
		});
		expect(resident.idNumberMasked).toBe('110105********002X');
		expect(JSON.stringify(await db.residents.toArray())).not.toContain(ID_NUMBER);
		expect(resident.gridId).toBe(GRID);
		const entries = await db.outbox.toArray();
		expect(entries[1].mutation.fields.idNumber).toBe(ID_NUMBER);
		await db.residents.update(resident.id, { version: 3 });
		const updated = await updateResident(db, resident.id, {
			idNumber: '11010519491231002X',
			phone: '13812345678'
		});
		expect(updated).toMatchObject({ idNumberMasked: '110105********002X', phone: '13812345678' });
	});

	it('records visits and check-ins as immutable inserts with derived fields', async () => {
		db = openTestDb();
		const household = await addHousehold(db, { gridId: GRID, address: 'A' });
		const resident = await addResident(db, { householdId: household.id, name: '王五' });
		const visit = await recordVisit(db, {
			householdId: household.id,
			visitedAt: '2025-06-01T09:00:00+08:00',
			outcome: 'visited',
			checks: [{ residentId: resident.id, temperature: 37.5 }]
		});
		expect(visit).toMatchObject({
			visitedAt: '2025-06-01T01:00:00.000Z',
			abnormal: true,
			gridId: GRID,
			note: null
		});
		const checkin = await recordCheckin(db, {
			residentId: resident.id,
			at: '2025-06-01T08:00:00+08:00',
			status: 'fine',
			channel: 'worker'
		});
		expect(checkin).toMatchObject({ at: '2025-06-01T00:00:00.000Z', gridId: GRID });
		expect(await outboxCounts(db)).toEqual({ pending: 4, rejected: 0 });
	});

	it('records a visit’s answers flagged by the rules of the version answered (docs/check-templates.md)', async () => {
		db = openTestDb();
		const household = await addHousehold(db, { gridId: GRID, address: 'A' });
		const resident = await addResident(db, { householdId: household.id, name: '王五' });
		const visit = await recordVisit(db, {
			householdId: household.id,
			visitedAt: '2025-06-01T09:00:00+08:00',
			outcome: 'visited',
			checks: [],
			templateId: ROUTINE_TEMPLATE_ID,
			templateVersion: 1,
			answers: [
				{ residentId: resident.id, key: 'health', value: '一般' },
				{ key: 'hazard', value: true }
			]
		});
		expect(visit).toMatchObject({
			templateId: ROUTINE_TEMPLATE_ID,
			templateVersion: 1,
			answers: [
				{ residentId: resident.id, key: 'health', value: '一般', abnormal: false },
				{ key: 'hazard', value: true, abnormal: true }
			],
			// A household answer alone makes the visit abnormal.
			abnormal: true
		});
		const [stored] = await visitsOfHousehold(db, household.id);
		expect(stored.answers).toEqual(visit.answers);
		// The outbox carries the answers as given: the server decides the flags again.
		const [entry] = await db.outbox.where('[table+rowId]').equals(['visits', visit.id]).toArray();
		expect(entry.mutation.fields.answers).toEqual([
			{ residentId: resident.id, key: 'health', value: '一般' },
			{ key: 'hazard', value: true }
		]);

		// A round's template on this device counts the same way.
		const round = {
			id: '0196f1d2-0000-7000-8000-0000000000c1',
			divisionCode: '450103001',
			name: '防汛排查',
			startDate: '2025-06-01',
			dueDate: '2025-06-30',
			template: { ...shippedTemplate(FLOOD_ID)!, id: CUSTOM_ID, version: 2, divisionCode: '450103' }
		};
		await db.rounds.put(round);
		const flood = await recordVisit(db, {
			householdId: household.id,
			visitedAt: '2025-06-02T09:00:00+08:00',
			outcome: 'visited',
			checks: [],
			templateId: CUSTOM_ID,
			templateVersion: 2,
			answers: [{ key: 'house_safe', value: true }]
		});
		expect(flood).toMatchObject({
			answers: [{ key: 'house_safe', value: true, abnormal: false }],
			abnormal: false
		});
	});

	it('refuses answers the template version refuses, naming the answer, and writes nothing', async () => {
		db = openTestDb();
		const household = await addHousehold(db, { gridId: GRID, address: 'A' });
		const resident = await addResident(db, { householdId: household.id, name: '王五' });
		const stranger = '0196f1d2-0000-7000-8000-0000000000d9';
		const visit = (answers: unknown[]) =>
			recordVisit(db, {
				householdId: household.id,
				visitedAt: '2025-06-01T09:00:00+08:00',
				outcome: 'visited',
				checks: [],
				templateId: ROUTINE_TEMPLATE_ID,
				templateVersion: 1,
				answers: answers as never
			});
		const attempts: [Promise<unknown>, string][] = [
			[visit([{ residentId: resident.id, key: 'health', value: '很好' }]), 'answers.0.value'],
			[visit([{ key: 'health', value: '良好' }]), 'answers.0.residentId'],
			[visit([{ residentId: stranger, key: 'health', value: '良好' }]), 'answers.0.residentId'],
			[
				visit([
					{ key: 'hazard', value: true },
					{ key: 'smoke', value: true }
				]),
				'answers.1.key'
			]
		];
		for (const [attempt, field] of attempts) {
			const error = await attempt.catch((e: unknown) => e);
			expect(error).toBeInstanceOf(ValidationError);
			expect((error as ValidationError).field).toBe(field);
		}
		expect(await db.visits.count()).toBe(0);
	});
});

describe('reads', () => {
	it('lists households by address, residents of a household, visits newest first', async () => {
		db = openTestDb();
		const other = '0196f1d2-0000-7000-8000-000000000002';
		for (const address of ['3 号', '1 号', '2 号'])
			await addHousehold(db, { gridId: GRID, address });
		await addHousehold(db, { gridId: other, address: '0 号' });
		const households = await householdsOfGrid(db, GRID);
		expect(households.map((h) => h.address)).toEqual(['1 号', '2 号', '3 号']);
		const [first] = households;
		await addResident(db, { householdId: first.id, name: '甲' });
		await addResident(db, { householdId: households[1].id, name: '乙' });
		expect((await residentsOfHousehold(db, first.id)).map((r) => r.name)).toEqual(['甲']);
		for (const visitedAt of [
			'2025-06-02T10:00:00Z',
			'2025-06-03T10:00:00Z',
			'2025-06-01T10:00:00Z'
		])
			await recordVisit(db, {
				householdId: first.id,
				visitedAt,
				outcome: 'nobody_home',
				checks: []
			});
		const visits = await visitsOfHousehold(db, first.id);
		expect(visits.map((v) => v.visitedAt.slice(0, 10))).toEqual([
			'2025-06-03',
			'2025-06-02',
			'2025-06-01'
		]);
		expect(await visitsOfHousehold(db, first.id, 1)).toHaveLength(1);
	});

	it('declares an index for every multi-field query', () => {
		db = openTestDb();
		const indexes = (table: string) => db.table(table).schema.indexes.map((i) => i.name);
		expect(indexes('households')).toContain('[gridId+address]');
		expect(indexes('visits')).toContain('[householdId+visitedAt]');
		expect(indexes('checkins')).toContain('[residentId+at]');
		expect(indexes('outbox')).toEqual(
			expect.arrayContaining(['state', '[state+seq]', '[table+rowId]'])
		);
		expect(Dexie.semVer.startsWith('4.')).toBe(true);
	});
});

describe('refused changes', () => {
	async function rejectAll() {
		await db.outbox
			.toCollection()
			.modify({ state: 'rejected', reason: 'fields.address: too long' });
	}

	it('discarding a refused update puts the server values back', async () => {
		db = openTestDb();
		await db.households.put({
			id: GRID,
			gridId: GRID,
			address: 'server',
			tags: [],
			lat: null,
			lng: null,
			version: 2
		});
		await updateHousehold(db, GRID, { address: 'mine' });
		await rejectAll();
		const [entry] = await db.outbox.toArray();
		await discardRejected(db, entry.seq!);
		const row = await db.households.get(GRID);
		expect(row?.address).toBe('server');
		expect(row?.hasLocalEdits).toBeUndefined();
		expect(row?.serverValues).toBeUndefined();
		expect(await db.outbox.count()).toBe(0);
	});

	it('discarding a refused insert removes the row and its later edits', async () => {
		db = openTestDb();
		const household = await addHousehold(db, { gridId: GRID, address: 'A' });
		await updateHousehold(db, household.id, { address: 'B' });
		await db.outbox
			.where('seq')
			.equals(1)
			.modify({ state: 'rejected', reason: 'fields.gridId: no such grid' });
		await discardRejected(db, 1);
		expect(await db.households.count()).toBe(0);
		expect(await db.outbox.count()).toBe(0);
	});

	it('only refused entries can be discarded or retried', async () => {
		db = openTestDb();
		await addHousehold(db, { gridId: GRID, address: 'A' });
		await expect(discardRejected(db, 1)).rejects.toThrow(/not a refused change/);
		await expect(retryRejected(db, 1)).rejects.toThrow(/not a refused change/);
		expect(await db.outbox.count()).toBe(1);
	});

	it('retrying validates the fix, updates the row, and queues it under a new, later id', async () => {
		db = openTestDb();
		const household = await addHousehold(db, { gridId: GRID, address: 'A' });
		await rejectAll();
		const [entry] = await db.outbox.toArray();
		await expect(retryRejected(db, entry.seq!, { address: '' })).rejects.toMatchObject({
			field: 'address'
		});
		expect((await db.outbox.get(entry.seq!))?.state).toBe('rejected');
		await retryRejected(db, entry.seq!, { address: 'B' });
		const retried = await db.outbox.get(entry.seq!);
		expect(retried).toMatchObject({
			state: 'pending',
			attempts: 0,
			mutation: { fields: { address: 'B' } }
		});
		expect(retried?.reason).toBeUndefined();
		expect(retried!.mutation.id > entry.mutation.id).toBe(true);
		expect((await db.households.get(household.id))?.address).toBe('B');
	});
});

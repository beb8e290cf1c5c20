// Every write the app makes on a person's behalf, on a disk that is full (docs/field-performance.md,
// "Storage"): each is refused whole with a StorageFullError, the rows and everything already in
// the outbox stay exactly as they were, the sync engine hears of nothing; once there is room, the
// same call goes through. The disk refuses at the IndexedDB level, at commit, as Chromium does
// (test-support.ts FakeDisk).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { submitCheckin, type DirectoryEntry } from '$lib/kiosk/kiosk-checkin';
import { recordOfflineUnmask } from '$lib/privacy/offline-audit';
import { applyPushResults, takeBatch } from '$lib/sync/outbox';
import { FakeDisk, openTestDb } from '$lib/sync/test-support';
import type { GridcareDb } from './db';
import { pruneSyncedHistory } from './free-space';
import { StorageFullError } from './quota';
import {
	addHousehold,
	addResident,
	discardRejected,
	recordCheckin,
	recordVisit,
	reportIncident,
	retryRejected,
	updateHousehold,
	updateIncident,
	updateResident
} from './repositories';

const GRID = '0196f1d2-0000-7000-8000-000000000001';

let db: GridcareDb | undefined;
afterEach(() => db?.close());

/** Everything the device holds, to compare before and after. */
async function everything(db: GridcareDb) {
	const tables = [...db.syncedTables, db.outbox, db.meta, db.parked, db.rounds];
	return Object.fromEntries(
		await Promise.all(tables.map(async (table) => [table.name, await table.toArray()]))
	);
}

/** A worker's device with earlier changes waiting in the outbox, and one the server refused. */
async function deviceWithChanges(disk: FakeDisk) {
	const d = openTestDb({ disk });
	db = d;
	const household = await addHousehold(d, { gridId: GRID, address: '幸福路 1 号' });
	const resident = await addResident(d, { householdId: household.id, name: '张三' });
	await recordVisit(d, {
		householdId: household.id,
		visitedAt: '2025-06-01T01:00:00.000Z',
		outcome: 'visited',
		checks: []
	});
	const incident = await reportIncident(d, {
		gridId: GRID,
		householdId: household.id,
		category: 'safety',
		severity: 'medium',
		description: '楼道堆放杂物'
	});
	// A household the server has, edited here and refused by it: waiting for a person.
	await d.households.put({
		id: 'h-server',
		gridId: GRID,
		address: '幸福路 2 号',
		tags: [],
		lat: null,
		lng: null,
		version: 3
	});
	await updateHousehold(d, 'h-server', { address: '幸福路 2 号 A' });
	const batch = await takeBatch(d, 0, 500, new Set());
	const refused = batch.entries.find((e) => e.rowId === 'h-server')!;
	await applyPushResults(
		d,
		batch.entries.filter((e) => e === refused),
		[{ id: refused.mutation.id, status: 'rejected', reason: 'address: not allowed' }]
	);
	const kioskResident: DirectoryEntry = {
		residentId: resident.id,
		householdId: household.id,
		gridId: GRID,
		maskedName: '张*',
		idTail: '1234',
		birthYear: 1950,
		addressHint: null,
		lastHelp: null
	};
	return { db: d, household, resident, incident, refusedSeq: refused.seq, kioskResident };
}

describe('on a full disk', () => {
	it('every change is refused whole, and the outbox keeps every earlier change', async () => {
		const disk = new FakeDisk();
		const device = await deviceWithChanges(disk);
		const { household, resident, incident, kioskResident } = device;
		const d = device.db;
		const before = await everything(d);
		expect(before.outbox.length).toBe(5);
		const heard = vi.fn();
		d.onLocalWrite(heard);

		const changes: [string, () => Promise<unknown>][] = [
			[
				'a visit',
				() =>
					recordVisit(d, {
						householdId: household.id,
						visitedAt: '2025-06-02T01:00:00.000Z',
						outcome: 'visited',
						checks: []
					})
			],
			['a new household', () => addHousehold(d, { gridId: GRID, address: '幸福路 3 号' })],
			['a household edit', () => updateHousehold(d, household.id, { address: '幸福路 1 号 B' })],
			['a new resident', () => addResident(d, { householdId: household.id, name: '李四' })],
			['a resident edit', () => updateResident(d, resident.id, { name: '张三丰' })],
			['an incident move', () => updateIncident(d, incident.id, { status: 'accepted' })],
			[
				'a follow-up check-in held for undo',
				() =>
					recordCheckin(
						d,
						{
							residentId: resident.id,
							at: '2025-06-02T01:00:00.000Z',
							status: 'fine',
							channel: 'worker'
						},
						{ holdMs: 5_000 }
					)
			],
			[
				'a kiosk check-in',
				() =>
					submitCheckin(d, {
						resident: kioskResident,
						status: 'fine',
						needs: [],
						channel: 'kiosk',
						description: ''
					})
			],
			[
				'a kiosk help request with its incident',
				() =>
					submitCheckin(d, {
						resident: kioskResident,
						status: 'need_help',
						needs: ['medicine'],
						channel: 'kiosk',
						description: '张* 需要帮助：买药'
					})
			],
			[
				'an offline unmask audit entry',
				() => recordOfflineUnmask(d, resident.id, 'phone', 'contact_resident')
			],
			[
				'a refused change sent again',
				() => retryRejected(d, device.refusedSeq, { address: '幸福路 2 号 C' })
			],
			['a refused change discarded', () => discardRejected(d, device.refusedSeq)]
		];
		disk.fill();
		for (const [what, change] of changes) {
			const error = await change().catch((e: unknown) => e);
			expect(error, what).toBeInstanceOf(StorageFullError);
			expect(await everything(d), what).toEqual(before);
		}
		expect(heard).not.toHaveBeenCalled();

		// With room again, each goes through (the refused change is sent again, so not discarded).
		disk.clear();
		const goThrough = changes.filter(([what]) => what !== 'a refused change discarded');
		for (const [what, change] of goThrough) await expect(change(), what).resolves.not.toThrow();
		expect(heard).toHaveBeenCalledTimes(goThrough.length);
		expect(await d.outbox.get(device.refusedSeq)).toMatchObject({ state: 'pending' });
		// The earlier changes are all still there, in their order, before the new ones.
		const after = (await d.outbox.toArray()).map((e) => e.mutation.id);
		const earlier = before.outbox
			.filter((e: { seq: number }) => e.seq !== device.refusedSeq)
			.map((e: { mutation: { id: string } }) => e.mutation.id);
		expect(after.slice(0, earlier.length)).toEqual(earlier);
	});

	it('old synced history can still be dropped: deletes need no room', async () => {
		const disk = new FakeDisk();
		const d = openTestDb({ disk });
		db = d;
		const now = Date.parse('2025-09-01T00:00:00.000Z');
		const visit = (id: string, householdId: string, visitedAt: string) => ({
			id,
			householdId,
			gridId: GRID,
			visitedAt,
			outcome: 'visited' as const,
			checks: [],
			needs: [],
			note: null,
			abnormal: false,
			version: 1
		});
		await d.visits.bulkPut([
			visit('old', 'h1', '2025-03-01T00:00:00.000Z'),
			visit('latest-of-h1', 'h1', '2025-08-01T00:00:00.000Z'),
			visit('only-of-h2', 'h2', '2025-02-01T00:00:00.000Z')
		]);
		disk.fill();
		expect(await pruneSyncedHistory(d, now)).toEqual({ visits: 1, checkins: 0 });
		expect((await d.visits.toCollection().primaryKeys()).sort()).toEqual([
			'latest-of-h1',
			'only-of-h2'
		]);
	});
});

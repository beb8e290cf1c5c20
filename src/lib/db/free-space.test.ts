import { afterEach, describe, expect, it } from 'vitest';
import { openTestDb } from '$lib/sync/test-support';
import type { CheckinRow, GridcareDb, VisitRow } from './db';
import { KEEP_DAYS, pruneSyncedHistory } from './free-space';

const GRID = '0196f1d2-0000-7000-8000-000000000001';
const NOW = Date.parse('2025-09-01T04:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW - days * 86_400_000).toISOString();

const visit = (id: string, householdId: string, visitedAt: string, synced = true): VisitRow => ({
	id,
	householdId,
	gridId: GRID,
	visitedAt,
	outcome: 'visited',
	checks: [],
	needs: [],
	note: null,
	abnormal: false,
	...(synced ? { version: 1 } : {})
});

const checkin = (id: string, residentId: string, at: string): CheckinRow => ({
	id,
	residentId,
	at,
	status: 'fine',
	channel: 'kiosk',
	needs: [],
	version: 1
});

let db: GridcareDb;
afterEach(() => db?.close());

describe('freeing space on the device', () => {
	it('drops synced visits and check-ins older than the window, keeping each latest one', async () => {
		db = openTestDb({ now: () => NOW });
		await db.visits.bulkPut([
			visit('h1-old', 'h1', daysAgo(KEEP_DAYS + 30)),
			visit('h1-older', 'h1', daysAgo(KEEP_DAYS + 60)),
			visit('h1-recent', 'h1', daysAgo(10)),
			visit('h2-only', 'h2', daysAgo(KEEP_DAYS + 100)),
			visit('h3-edge', 'h3', daysAgo(KEEP_DAYS - 1)),
			visit('h3-latest', 'h3', daysAgo(1))
		]);
		await db.checkins.bulkPut([
			checkin('r1-old', 'r1', daysAgo(KEEP_DAYS + 1)),
			checkin('r1-today', 'r1', daysAgo(0)),
			checkin('r2-only', 'r2', daysAgo(KEEP_DAYS + 5))
		]);
		expect(await pruneSyncedHistory(db, NOW)).toEqual({ visits: 2, checkins: 1 });
		expect((await db.visits.toCollection().primaryKeys()).sort()).toEqual([
			'h1-recent',
			'h2-only',
			'h3-edge',
			'h3-latest'
		]);
		expect((await db.checkins.toCollection().primaryKeys()).sort()).toEqual([
			'r1-today',
			'r2-only'
		]);
	});

	it('never drops a record the server does not have, or one a change still waits on', async () => {
		db = openTestDb({ now: () => NOW });
		await db.visits.bulkPut([
			visit('made-here', 'h1', daysAgo(KEEP_DAYS + 10), false),
			visit('waiting', 'h1', daysAgo(KEEP_DAYS + 20)),
			visit('latest', 'h1', daysAgo(2))
		]);
		await db.outbox.add({
			table: 'visits',
			rowId: 'waiting',
			mutation: { id: 'm1', table: 'visits', op: 'insert', rowId: 'waiting', fields: {} },
			state: 'rejected',
			reason: 'householdId: no such household',
			createdAt: NOW,
			attempts: 1
		});
		expect(await pruneSyncedHistory(db, NOW)).toEqual({ visits: 0, checkins: 0 });
		expect(await db.visits.count()).toBe(3);
	});

	it('keeps the visits of a check round running now, however long ago it started', async () => {
		db = openTestDb({ now: () => NOW });
		await db.rounds.put({
			id: 'round',
			divisionCode: '450103',
			name: '汛期排查',
			startDate: '2025-04-01',
			dueDate: '2025-09-30'
		});
		await db.visits.bulkPut([
			visit('in-round', 'h1', '2025-04-02T02:00:00.000Z'),
			visit('before-round', 'h1', '2025-03-20T02:00:00.000Z'),
			visit('latest', 'h1', daysAgo(1))
		]);
		expect(await pruneSyncedHistory(db, NOW)).toEqual({ visits: 1, checkins: 0 });
		expect(await db.visits.get('before-round')).toBeUndefined();
		expect(await db.visits.get('in-round')).toBeDefined();
	});
});

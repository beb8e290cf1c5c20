import { afterEach, describe, expect, it } from 'vitest';
import { openTestDb } from '$lib/sync/test-support';
import type { GridcareDb } from '$lib/db/db';
import { matchTail, submitCheckin, type DirectoryEntry } from './kiosk-checkin';

const resident: DirectoryEntry = {
	residentId: '0196f1d2-0000-7000-8000-0000000000a1',
	householdId: '0196f1d2-0000-7000-8000-0000000000b1',
	gridId: '0196f1d2-0000-7000-8000-000000000001',
	maskedName: '黄*英',
	idTail: '202X'
};

let db: GridcareDb;
afterEach(() => db?.close());

describe('matchTail', () => {
	const others: DirectoryEntry[] = [
		resident,
		{ ...resident, residentId: 'r2', maskedName: '李*', idTail: '1234' },
		{ ...resident, residentId: 'r3', maskedName: '王*国', idTail: '1234' },
		{ ...resident, residentId: 'r4', maskedName: '赵*', idTail: null }
	];

	it('finds every resident with the tail, X in either case', () => {
		expect(matchTail(others, '1234').map((r) => r.residentId)).toEqual(['r2', 'r3']);
		expect(matchTail(others, '202x')).toEqual([resident]);
	});

	it('finds nobody for anything but 3 digits and a digit or X', () => {
		for (const tail of ['', '123', '12345', 'X234', 'abcd'])
			expect(matchTail(others, tail)).toEqual([]);
	});
});

describe('submitCheckin', () => {
	const answer = {
		resident,
		needs: [] as ('medicine' | 'food')[],
		channel: 'kiosk' as const,
		description: '居民 黄*英 在自助终端签到：我需要帮助（买药、取药）'
	};

	it('queues a help request with the check-in, in one transaction', async () => {
		db = await openTestDb();
		await submitCheckin(db, { ...answer, status: 'need_help', needs: ['medicine'] });
		const outbox = await db.outbox.toArray();
		expect(outbox.map((e) => [e.table, e.mutation.op])).toEqual([
			['checkins', 'insert'],
			['incidents', 'insert']
		]);
		expect(outbox[0].mutation.fields).toMatchObject({
			residentId: resident.residentId,
			status: 'need_help',
			channel: 'kiosk',
			needs: ['medicine']
		});
		expect(outbox[1].mutation.fields).toMatchObject({
			gridId: resident.gridId,
			householdId: resident.householdId,
			category: 'help_request',
			severity: 'high',
			status: 'reported'
		});
	});

	it('alerts the worker with a medium health incident when unwell; nothing more when fine', async () => {
		db = await openTestDb();
		await submitCheckin(db, { ...answer, status: 'unwell' });
		await submitCheckin(db, { ...answer, status: 'fine' });
		const outbox = await db.outbox.toArray();
		expect(outbox.map((e) => e.table)).toEqual(['checkins', 'incidents', 'checkins']);
		expect(outbox[1].mutation.fields).toMatchObject({ category: 'health', severity: 'medium' });
	});

	it('writes neither when the incident is invalid', async () => {
		db = await openTestDb();
		await expect(
			submitCheckin(db, { ...answer, status: 'need_help', description: '' })
		).rejects.toThrow(/description/);
		expect(await db.outbox.count()).toBe(0);
		expect(await db.checkins.count()).toBe(0);
	});

	it('records who assisted', async () => {
		db = await openTestDb();
		const helper = '0196f1d2-0000-7000-8000-0000000000c1';
		await submitCheckin(db, { ...answer, status: 'fine', channel: 'assisted', assistedBy: helper });
		const [entry] = await db.outbox.toArray();
		expect(entry.mutation.fields).toMatchObject({ channel: 'assisted', assistedBy: helper });
	});
});

import { afterEach, describe, expect, it } from 'vitest';
import { openTestDb } from '$lib/sync/test-support';
import type { GridcareDb } from '$lib/db/db';
import { applyPushResults, takeBatch } from '$lib/sync/outbox';
import {
	deliveryOf,
	directoryEntrySchema,
	helperGrids,
	helpFeedback,
	markHelpFeedbackTold,
	matchTail,
	mayAssist,
	submitCheckin,
	type DirectoryEntry
} from './kiosk-checkin';

const resident: DirectoryEntry = {
	residentId: '0196f1d2-0000-7000-8000-0000000000a1',
	householdId: '0196f1d2-0000-7000-8000-0000000000b1',
	gridId: '0196f1d2-0000-7000-8000-000000000001',
	maskedName: '黄*英',
	idTail: '202X',
	birthYear: 1940,
	addressHint: '1栋2单元',
	lastHelp: null
};

let db: GridcareDb;
afterEach(() => db?.close());

describe('directoryEntrySchema', () => {
	it('reads a directory cached before entries had birth year and building', () => {
		const { birthYear, addressHint, ...older } = resident;
		expect([birthYear, addressHint]).toEqual([1940, '1栋2单元']);
		expect(directoryEntrySchema.parse(older)).toEqual({
			...older,
			birthYear: null,
			addressHint: null
		});
		expect(directoryEntrySchema.parse(resident)).toEqual(resident);
	});
});

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
			residentId: resident.residentId,
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

describe('who a helper may assist', () => {
	it('a grid worker: the residents of their own grids only', () => {
		const helper = {
			id: 'w2',
			name: '黄志强',
			grids: helperGrids({ role: 'grid_worker', scope: ['other-grid'] })
		};
		expect(mayAssist(helper, resident)).toBe(false);
		expect(mayAssist({ ...helper, grids: ['other-grid', resident.gridId] }, resident)).toBe(true);
	});

	it('a volunteer or the community head: any resident of the community', () => {
		for (const role of ['volunteer', 'community_head']) {
			const grids = helperGrids({ role, scope: ['450102001003'] });
			expect(grids).toBeNull();
			expect(mayAssist({ id: 'h', name: '潘雨欣', grids }, resident)).toBe(true);
		}
	});
});

describe('deliveryOf', () => {
	const answer = {
		resident,
		needs: [] as 'medicine'[],
		channel: 'kiosk' as const,
		description: '居民 黄*英 在自助终端签到：身体不舒服'
	};

	it('pending while queued, sent once the server applied it', async () => {
		db = await openTestDb();
		const submitted = await submitCheckin(db, { ...answer, status: 'unwell' });
		expect(submitted.incidentId).not.toBeNull();
		expect(await deliveryOf(db, submitted)).toBe('pending');
		const batch = await takeBatch(db, 0, 10, new Set());
		await applyPushResults(
			db,
			batch.entries,
			batch.entries.map((e) => ({ id: e.mutation.id, status: 'applied' as const, version: 1 }))
		);
		expect(await deliveryOf(db, submitted)).toBe('sent');
	});

	it('rejected when the server refused its check-in or its incident, whatever else went through', async () => {
		db = await openTestDb();
		const refusedCheckin = await submitCheckin(db, { ...answer, status: 'fine' });
		const refusedIncident = await submitCheckin(db, { ...answer, status: 'need_help' });
		const other = await submitCheckin(db, { ...answer, status: 'fine' });
		const batch = await takeBatch(db, 0, 10, new Set());
		const refused = new Set([refusedCheckin.checkinId, refusedIncident.incidentId]);
		await applyPushResults(
			db,
			batch.entries,
			batch.entries.map((e) =>
				refused.has(e.rowId)
					? {
							id: e.mutation.id,
							status: 'rejected' as const,
							reason: 'fields.assistedBy: not a volunteer of this community'
						}
					: { id: e.mutation.id, status: 'applied' as const, version: 1 }
			)
		);
		expect(await deliveryOf(db, refusedCheckin)).toBe('rejected');
		expect(await deliveryOf(db, refusedIncident)).toBe('rejected');
		expect(await deliveryOf(db, other)).toBe('sent');
	});
});

describe('helpFeedback', () => {
	const handled = {
		...resident,
		lastHelp: { status: 'closed' as const, at: '2026-12-05T08:30:00.000Z' }
	};

	it('tells a resident once that their last request was handled, and again for a later one', async () => {
		db = await openTestDb();
		expect(await helpFeedback(db, resident)).toBeNull();
		expect(await helpFeedback(db, handled)).toEqual(handled.lastHelp);
		await markHelpFeedbackTold(db, handled);
		expect(await helpFeedback(db, handled)).toBeNull();
		const other = { ...handled, residentId: 'r2' };
		expect(await helpFeedback(db, other)).toEqual(handled.lastHelp);
		const later = {
			...handled,
			lastHelp: { status: 'resolved' as const, at: '2026-12-09T02:00:00.000Z' }
		};
		expect(await helpFeedback(db, later)).toEqual(later.lastHelp);
	});
});

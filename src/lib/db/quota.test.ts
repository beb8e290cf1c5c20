import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDisk, openTestDb } from '$lib/sync/test-support';
import { OfflineError } from '$lib/sync/transport';
import type { GridcareDb } from './db';
import { isQuotaError, StorageFullError, storageWrite } from './quota';

const quota = () => new DOMException('', 'QuotaExceededError');

let db: GridcareDb | undefined;
afterEach(() => db?.close());

describe('a full disk', () => {
	it('is told in every form IndexedDB and Dexie give it', () => {
		expect(isQuotaError(quota())).toBe(true);
		expect(isQuotaError(new Dexie.QuotaExceededError('Quota exceeded', quota()))).toBe(true);
		// Chromium aborts at commit: Dexie's AbortError wraps the browser's error.
		expect(isQuotaError(new Dexie.AbortError(quota()))).toBe(true);
		expect(isQuotaError(new Dexie.BulkError('bulkPut', { 3: quota() }))).toBe(true);
		expect(isQuotaError(new StorageFullError(quota()))).toBe(true);
		expect(isQuotaError(new Error('wrapped', { cause: new Dexie.AbortError(quota()) }))).toBe(true);
		// A message that crossed from the pull worker.
		expect(isQuotaError('QuotaExceededError ')).toBe(true);
	});

	it('is not any other failure', () => {
		expect(isQuotaError(new Dexie.AbortError())).toBe(false);
		expect(isQuotaError(new Dexie.AbortError(new DOMException('', 'ConstraintError')))).toBe(false);
		expect(isQuotaError(new Dexie.ConstraintError('Key already exists'))).toBe(false);
		expect(isQuotaError(new OfflineError('no network'))).toBe(false);
		expect(isQuotaError(null)).toBe(false);
		expect(isQuotaError('network request failed')).toBe(false);
	});

	it('fails a whole Dexie transaction at commit, as Chromium does, and storageWrite names it', async () => {
		const disk = new FakeDisk();
		db = openTestDb({ disk });
		await db.meta.put({ key: 'before', value: 1 });
		disk.fill();
		const write = () =>
			db!.transaction('rw', db!.meta, db!.parked, async () => {
				await db!.meta.put({ key: 'a', value: 'x'.repeat(100) });
				await db!.parked.add({
					change: { table: 't', op: 'insert', rowId: 'r', fields: {}, version: 1 },
					parkedAt: 0
				});
			});
		const raw = await write().catch((e: unknown) => e);
		expect(raw).toBeInstanceOf(Dexie.AbortError);
		expect((raw as { inner?: { name?: string } }).inner?.name).toBe('QuotaExceededError');
		const named = await storageWrite(write).catch((e: unknown) => e);
		expect(named).toBeInstanceOf(StorageFullError);
		expect(isQuotaError((named as Error).cause)).toBe(true);
		// Nothing of either attempt was written.
		expect(await db.meta.toArray()).toEqual([{ key: 'before', value: 1 }]);
		expect(await db.parked.count()).toBe(0);
		expect(disk.refused).toBe(2);
		// Deletes need no room.
		await db.meta.delete('before');
		expect(await db.meta.count()).toBe(0);
		// With room again, the same write goes through.
		disk.clear();
		await storageWrite(write);
		expect(await db.meta.get('a')).toBeDefined();
	});

	it('uses up the room that is left, and refuses what no longer fits', async () => {
		const disk = new FakeDisk(null);
		db = openTestDb({ disk });
		disk.free = 2_000;
		await db.meta.put({ key: 'small', value: 'x'.repeat(500) });
		expect(disk.free).toBeLessThan(1_500);
		await expect(
			storageWrite(() => db!.meta.put({ key: 'big', value: 'x'.repeat(5_000) }))
		).rejects.toBeInstanceOf(StorageFullError);
		expect(await db.meta.get('big')).toBeUndefined();
	});

	it('leaves other failures as they are', async () => {
		const failure = new Error('database closed');
		await expect(storageWrite(() => Promise.reject(failure))).rejects.toBe(failure);
	});
});

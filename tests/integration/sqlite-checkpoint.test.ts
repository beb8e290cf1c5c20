// SQLite checkpoints its WAL in a background worker (server/store/checkpointer.ts): committed
// pages reach the database file while the store is open, and nothing is lost across a reopen.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addHouseholds } from './roster';
import { openStore } from '../../server/store/index';
import { seedFixture, type Fixture } from './fixtures';
import { openTestStore, type TestStore } from './stores';

const fileOf = (url: string) => fileURLToPath(new URL(url.replace(/^file:/, 'file://')));

describe('SQLite background WAL checkpoint', () => {
	let db: TestStore;
	let fx: Fixture;

	beforeAll(async () => {
		db = await openTestStore('sqlite');
		fx = await seedFixture(db.store);
	});
	afterAll(async () => db.dispose());

	it('copies committed pages into the database file while the store stays open', async () => {
		const file = fileOf(db.url);
		const before = statSync(file).size;
		const households = Array.from({ length: 2_000 }, (_, i) => ({
			id: crypto.randomUUID(),
			gridId: fx.grids.a1,
			address: `民生路${i}号 ${'楼'.repeat(100)}`,
			tags: []
		}));
		// Each call is one transaction; its commit only appends to the WAL.
		for (let i = 0; i < households.length; i += 200)
			await addHouseholds(db.store, households.slice(i, i + 200));
		// Without a checkpoint the rows would sit in the WAL and the file would not grow; a commit
		// right after a checkpoint started waits for the next one (at most a few seconds).
		const grown = () => statSync(file).size > before + 1_000_000;
		for (let waited = 0; !grown() && waited < 15_000; waited += 50)
			await new Promise((resolve) => setTimeout(resolve, 50));
		expect(statSync(file).size).toBeGreaterThan(before + 1_000_000);
		expect(await db.store.countHouseholds([fx.grids.a1])).toBe(2_000);
	});

	it('keeps every committed row across a close and reopen', async () => {
		await db.store.close();
		const reopened = openStore(db.url);
		try {
			expect(await reopened.countHouseholds([fx.grids.a1])).toBe(2_000);
		} finally {
			await reopened.close();
		}
	});
});

// Retention: health details older than the retention period are deleted, newer ones kept, the
// visit's outcome and abnormal finding kept, and devices receive the purged rows. Both databases.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAbnormalVisit } from '../../src/lib/domain/visit';
import {
	purgeHealthDetails,
	retentionCutoff,
	startRetentionJob
} from '../../server/privacy/retention';
import { ApiClient, foldChanges, testApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { addPerson, type Person } from './privacy-fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const DAY = 86_400_000;
const NOW = Date.now();

interface Check {
	residentId: string;
	temperature?: number;
	symptoms?: string[];
	healthCode?: 'green' | 'yellow' | 'red';
	fromRiskArea?: boolean;
	abnormal?: boolean;
}

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`retention purge (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let worker: ApiClient;
		let person: Person;
		const visits: { id: string; daysAgo: number; checks: Omit<Check, 'residentId'> }[] = [
			{ id: crypto.randomUUID(), daysAgo: 45, checks: { temperature: 38.2 } },
			{ id: crypto.randomUUID(), daysAgo: 40, checks: { temperature: 36.5, healthCode: 'green' } },
			{ id: crypto.randomUUID(), daysAgo: 35, checks: { symptoms: ['cough'], fromRiskArea: true } },
			{ id: crypto.randomUUID(), daysAgo: 20, checks: { temperature: 37.9 } },
			{ id: crypto.randomUUID(), daysAgo: 1, checks: { healthCode: 'yellow' } }
		];

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			worker = await new ApiClient(testApp(db.store)).login('worker_a1');
			person = await addPerson(worker, fx.grids.a1, { name: '黄桂英' });
			const results = await worker.push(
				visits.map((v) => ({
					id: crypto.randomUUID(),
					table: 'visits',
					op: 'insert',
					rowId: v.id,
					fields: {
						householdId: person.household,
						visitedAt: new Date(NOW - v.daysAgo * DAY).toISOString(),
						outcome: 'visited',
						checks: [{ residentId: person.resident, ...v.checks }]
					}
				}))
			);
			expect(results.every((r) => r.status === 'applied')).toBe(true);
		});
		afterAll(async () => db.dispose());

		const stored = async () => {
			const out = new Map<string, { checks: Check[]; outcome: string; abnormal: boolean }>();
			for (const v of visits) {
				const rows = await db.store.pullChanges({ gridIds: [fx.grids.a1], after: 0, limit: 1000 });
				const folded = foldChanges(
					rows.map((r) => ({
						table: r.tableName,
						op: r.op,
						rowId: r.rowId,
						fields: r.fields,
						version: r.seq
					}))
				);
				const row = folded.get(v.id)!;
				out.set(v.id, {
					checks: row.checks as Check[],
					outcome: row.outcome as string,
					abnormal: row.abnormal as boolean
				});
			}
			return out;
		};

		it('keeps only { residentId, abnormal } of checks past the retention period', async () => {
			const { cursor } = await worker.pullAll();
			const before = await stored();
			const abnormalBefore = visits.filter((v) => isAbnormalVisit(before.get(v.id)!.checks));
			expect(abnormalBefore.map((v) => v.daysAgo)).toEqual([45, 35, 20, 1]);

			const purged = await purgeHealthDetails(
				db.store,
				retentionCutoff(new Date(NOW), 30),
				'Asia/Shanghai'
			);
			expect(purged).toBe(3);

			const after = await stored();
			for (const v of visits) {
				const { checks, outcome, abnormal } = after.get(v.id)!;
				expect(outcome).toBe('visited');
				expect(abnormal).toBe(before.get(v.id)!.abnormal);
				if (v.daysAgo > 30)
					expect(checks).toEqual([
						{ residentId: person.resident, abnormal: isAbnormalVisit(before.get(v.id)!.checks) }
					]);
				else expect(checks).toEqual(before.get(v.id)!.checks);
			}
			// Figures computed from the stored checks are the same before and after.
			expect(visits.filter((v) => isAbnormalVisit(after.get(v.id)!.checks))).toEqual(
				abnormalBefore
			);

			// A device that had the details receives the purged state on its next pull.
			const { changes } = await worker.pullAll(cursor);
			expect(changes.map((c) => [c.table, c.op, c.rowId]).sort()).toEqual(
				visits
					.filter((v) => v.daysAgo > 30)
					.map((v) => ['visits', 'update', v.id])
					.sort()
			);
			for (const c of changes) expect(Object.keys(c.fields)).toEqual(['checks']);
			expect(JSON.stringify(changes)).not.toMatch(/temperature|symptoms|healthCode|fromRiskArea/);
		});

		it('is idempotent: a second purge finds nothing and logs nothing', async () => {
			const { cursor } = await worker.pullAll();
			expect(
				await purgeHealthDetails(db.store, retentionCutoff(new Date(NOW), 30), 'Asia/Shanghai')
			).toBe(0);
			expect((await worker.pullAll(cursor)).changes).toEqual([]);
		});

		it('runs at once and then daily in `serve`, logging counts only', async () => {
			const visit = crypto.randomUUID();
			await worker.push([
				{
					id: crypto.randomUUID(),
					table: 'visits',
					op: 'insert',
					rowId: visit,
					fields: {
						householdId: person.household,
						visitedAt: new Date(NOW - 60 * DAY).toISOString(),
						outcome: 'visited',
						checks: [{ residentId: person.resident, temperature: 36.6 }]
					}
				}
			]);
			const lines: string[] = [];
			const job = startRetentionJob(
				db.store,
				{ retentionDays: 30, timeZone: 'Asia/Shanghai' },
				(line) => lines.push(line)
			);
			try {
				await expect.poll(() => lines.length).toBe(1);
			} finally {
				await job.stop();
			}
			expect(JSON.parse(lines[0])).toMatchObject({
				level: 'info',
				msg: 'retention purge',
				olderThanDays: 30,
				visits: 1
			});
			expect((await stored()).size).toBe(visits.length);
			const rows = await db.store.pullChanges({ gridIds: [fx.grids.a1], after: 0, limit: 1000 });
			const last = rows.filter((r) => r.rowId === visit).at(-1)!;
			expect(last.fields).toEqual({ checks: [{ residentId: person.resident, abnormal: false }] });
		});

		it.runIf(dialect === 'sqlite')('runs as `gridcare purge --older-than <days>`', async () => {
			const BIN = new URL('../../bin/gridcare.js', import.meta.url).pathname;
			const { stdout } = await promisify(execFile)(
				process.execPath,
				[BIN, 'purge', '--older-than', '10'],
				{ env: { ...process.env, DATABASE_URL: db.url }, timeout: 60_000 }
			);
			expect(stdout).toContain('purged health details of 1 visits older than 10 days');
			const after = await stored();
			expect(after.get(visits[3].id)!.checks).toEqual([
				{ residentId: person.resident, abnormal: true }
			]);
			expect(after.get(visits[4].id)!.checks[0]).toMatchObject({ healthCode: 'yellow' });
		});
	});
}

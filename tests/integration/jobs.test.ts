// The periodic jobs' run-once rule (server/jobs.ts) on both databases: a period runs once, a
// failed run leaves its period to the next tick, a job running elsewhere is skipped, and on
// PostgreSQL the lock of a process that died is released with its connection.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeriodicJob, runJobOnce } from '../../server/jobs';
import { openStore } from '../../server/store/index';
import type { Store } from '../../server/store/types';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

for (const dialect of DIALECTS)
	describe.skipIf(!dialectAvailable(dialect))(`periodic jobs run once (${dialect})`, () => {
		let db: TestStore;
		/** Another process's view of the database (its own connections on PostgreSQL). */
		let other: Store;

		beforeAll(async () => {
			db = await openTestStore(dialect);
			other = dialect === 'postgres' ? openStore(db.url) : db.store;
		});
		afterAll(async () => {
			if (other !== db.store) await other.close();
			await db.dispose();
		});

		const row = async (job: string) => (await db.store.jobs().all()).find((r) => r.job === job);

		it('runs each period once, and a later one again', async () => {
			let runs = 0;
			const job = async () => void runs++;
			expect(await runJobOnce(db.store, 'supervision', '2026-12-07T04:00:00.000Z', job)).toBe(
				'ran'
			);
			expect(await runJobOnce(other, 'supervision', '2026-12-07T04:00:00.000Z', job)).toBe('done');
			// An earlier period ticked late by a slow process is done too.
			expect(await runJobOnce(other, 'supervision', '2026-12-07T03:59:00.000Z', job)).toBe('done');
			expect(await runJobOnce(other, 'supervision', '2026-12-07T04:01:00.000Z', job)).toBe('ran');
			expect(runs).toBe(2);
			expect(await row('supervision')).toMatchObject({
				period: '2026-12-07T04:01:00.000Z',
				runs: 2,
				failures: 0
			});
		});

		it('leaves the period of a failed run to the next tick', async () => {
			await expect(
				runJobOnce(db.store, 'retention', '2026-12-07', async () => {
					throw new Error('disk full');
				})
			).rejects.toThrow('disk full');
			expect(await row('retention')).toMatchObject({ runs: 0, failures: 1 });
			expect(await runJobOnce(other, 'retention', '2026-12-07', async () => {})).toBe('ran');
			expect(await row('retention')).toMatchObject({ period: '2026-12-07', runs: 1, failures: 1 });
		});

		it('skips a job running elsewhere, without waiting for it', async () => {
			let release!: () => void;
			const held = new Promise<void>((resolve) => (release = resolve));
			const first = runJobOnce(db.store, 'supervision', '2026-12-07T05:00:00.000Z', () => held);
			await new Promise((resolve) => setTimeout(resolve, 100));
			expect(
				await runJobOnce(other, 'supervision', '2026-12-07T05:01:00.000Z', async () => {})
			).toBe('busy');
			release();
			expect(await first).toBe('ran');
			expect(
				await runJobOnce(other, 'supervision', '2026-12-07T05:01:00.000Z', async () => {})
			).toBe('ran');
		});

		it('lets a run in progress finish when the process stops', async () => {
			const lines: string[] = [];
			let finished = false;
			const job = new PeriodicJob({
				store: db.store,
				job: 'retention',
				everyMs: 3_600_000,
				period: () => '2026-12-08',
				run: async () => {
					await new Promise((resolve) => setTimeout(resolve, 300));
					finished = true;
				},
				log: (line) => lines.push(line)
			});
			void job.tick();
			await new Promise((resolve) => setTimeout(resolve, 50));
			await job.stop();
			expect(finished).toBe(true);
			expect(await row('retention')).toMatchObject({ period: '2026-12-08' });
			expect(lines).toEqual([]);
		});

		it.runIf(dialect === 'postgres')(
			'lets another process run a job whose process died holding it',
			async () => {
				const dying = openStore(db.url);
				const stuck = runJobOnce(
					dying,
					'supervision',
					'2026-12-07T06:00:00.000Z',
					() => new Promise<void>(() => {})
				);
				await new Promise((resolve) => setTimeout(resolve, 200));
				expect(
					await runJobOnce(other, 'supervision', '2026-12-07T06:00:00.000Z', async () => {})
				).toBe('busy');
				// The process is gone: the database ends its session, and its locks with it.
				const admin = postgres(db.url, { max: 1, onnotice: () => {} });
				try {
					const ended = await admin`
						select pg_terminate_backend(pid) as ok from pg_locks
						where locktype = 'advisory' and classid = 7210452 and objid = 2 and granted`;
					expect(ended).toHaveLength(1);
				} finally {
					await admin.end();
				}
				// (Its job itself never ends here: the process it stands for is dead.)
				void stuck.catch(() => {});
				void dying.close().catch(() => {});
				// Its period was never recorded: the next tick anywhere runs it.
				expect(
					await runJobOnce(other, 'supervision', '2026-12-07T06:00:00.000Z', async () => {})
				).toBe('ran');
			}
		);
	});

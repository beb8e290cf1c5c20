// Alerts evaluated promptly after writes, on both databases, through the HTTP API with the
// server's alert scheduler and no one-minute job running: a push that crosses a threshold raises
// the alert within a couple of seconds, after the push was acknowledged; a burst of pushes costs
// one evaluation and raises one alert; nothing is raised below the threshold; a settings change
// and an incident move that changes the figures are evaluated too; two evaluations of one
// community (the job's included) never run at once; a failed evaluation is logged and left to
// the job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertScheduler } from '../../server/supervision/alert-scheduler';
import { runSupervisionJobs } from '../../server/supervision/jobs';
import { DEFAULT_SETTINGS } from '../../server/supervision/settings';
import { ApiClient, testApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const uuid = () => crypto.randomUUID();
const TZ = 'Asia/Shanghai';
const COMMUNITY_A = '450102001003';
const COMMUNITY_B = '450102001004';

interface Alert {
	id: string;
	communityCode: string;
	kind: string;
	value: number;
	threshold: number;
}

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`prompt alert evaluation (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let scheduler: AlertScheduler;
		let worker: ApiClient;
		let workerB: ApiClient;
		let head: ApiClient;
		let headB: ApiClient;
		const logs: string[] = [];
		const households = { a: uuid(), b: uuid() };
		const residents = { a: [uuid(), uuid(), uuid()], b: [uuid(), uuid(), uuid(), uuid(), uuid()] };

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			const log = (line: string) => void logs.push(line);
			scheduler = new AlertScheduler({ store: db.store, timeZone: TZ, log });
			const app = testApp(db.store, () => new Date(), { alerts: scheduler, log });
			worker = await new ApiClient(app).login('worker_a1');
			workerB = await new ApiClient(app).login('worker_b1');
			head = await new ApiClient(app).login('head_a');
			headB = await new ApiClient(app).login('head_b');
			// Missed check-ins and coverage stay out of the way: only abnormal residents count here.
			const settings = (abnormalResidents: number) => ({
				...DEFAULT_SETTINGS,
				thresholds: { ...DEFAULT_SETTINGS.thresholds, abnormalResidents, missedCheckins: 100_000 }
			});
			await put(head, COMMUNITY_A, settings(2));
			await put(headB, COMMUNITY_B, settings(3));
			await push(worker, [
				ins('households', households.a, { gridId: fx.grids.a1, address: '民生路1号' }),
				// The last resident checks in daily (missed check-ins count in a later test).
				...residents.a.map((id, i) =>
					ins('residents', id, {
						householdId: households.a,
						name: `居民${i}`,
						dailyCheckIn: i === 2
					})
				)
			]);
			await push(workerB, [
				ins('households', households.b, { gridId: fx.grids.b1, address: '民生路9号' }),
				...residents.b.map((id, i) =>
					ins('residents', id, {
						householdId: households.b,
						name: `居民${i}`,
						dailyCheckIn: i === 1
					})
				)
			]);
			await scheduler.idle();
		});
		afterAll(async () => {
			scheduler.stop();
			await scheduler.idle();
			await db.dispose();
		});

		const ins = (table: string, rowId: string, fields: Record<string, unknown>) => ({
			id: uuid(),
			table,
			op: 'insert',
			rowId,
			fields
		});
		const push = async (client: ApiClient, mutations: unknown[]) => {
			const results = await client.push(mutations);
			expect(results.map((r) => r.reason ?? r.status)).toEqual(mutations.map(() => 'applied'));
			return results;
		};
		const put = async (client: ApiClient, code: string, body: unknown) => {
			const res = await client.request(`/communities/${code}/settings`, {
				method: 'PUT',
				body: JSON.stringify(body)
			});
			expect(res.status, await res.clone().text()).toBe(200);
		};
		/** A visit finding these residents of a household abnormal (a fever). */
		const feverVisit = (household: string, ids: string[]) =>
			ins('visits', uuid(), {
				householdId: household,
				visitedAt: new Date().toISOString(),
				outcome: 'visited',
				checks: ids.map((residentId) => ({ residentId, temperature: 38.5 }))
			});
		const alertsOf = async (client: ApiClient, code: string): Promise<Alert[]> => {
			const res = await client.request(`/alerts?code=${code}&status=all`);
			expect(res.status).toBe(200);
			return ((await res.json()) as { alerts: Alert[] }).alerts;
		};
		/** Poll until `check` holds; returns the milliseconds it took. */
		const within = async (ms: number, check: () => Promise<boolean>): Promise<number> => {
			const started = performance.now();
			while (!(await check())) {
				if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
				await new Promise((resolve) => setTimeout(resolve, 25));
			}
			return performance.now() - started;
		};

		it('raises nothing while the figures stay below the threshold', async () => {
			const before = scheduler.stats.evaluations;
			await push(worker, [feverVisit(households.a, [residents.a[0]])]);
			await scheduler.idle();
			// The community was evaluated, and one abnormal resident is below the threshold of 2.
			expect(scheduler.stats.evaluations).toBe(before + 1);
			expect(await alertsOf(head, COMMUNITY_A)).toEqual([]);
		});

		it('raises the alert within a couple of seconds of a push that crosses the threshold, after acknowledging it', async () => {
			const before = scheduler.stats.evaluations;
			await push(worker, [feverVisit(households.a, [residents.a[1]])]);
			// Acknowledged before the evaluation ran: it waits off the request's path.
			expect(scheduler.stats.evaluations).toBe(before);
			expect(await alertsOf(head, COMMUNITY_A)).toEqual([]);
			const ms = await within(2000, async () => (await alertsOf(head, COMMUNITY_A)).length > 0);
			expect(ms).toBeLessThan(2000);
			const alerts = await alertsOf(head, COMMUNITY_A);
			expect(alerts).toMatchObject([
				{ communityCode: COMMUNITY_A, kind: 'abnormal_residents', value: 2, threshold: 2 }
			]);
			await scheduler.idle();
			expect(scheduler.stats.evaluations).toBe(before + 1);
		});

		it('evaluates a burst of pushes once and raises one alert with the final value', async () => {
			const before = scheduler.stats.evaluations;
			// Five pushes at once to community B, each finding one more resident abnormal: the
			// threshold of 3 is crossed on the third.
			await Promise.all(residents.b.map((id) => push(workerB, [feverVisit(households.b, [id])])));
			await within(2000, async () => (await alertsOf(headB, COMMUNITY_B)).length > 0);
			await scheduler.idle();
			expect(scheduler.stats.evaluations).toBe(before + 1);
			expect(await alertsOf(headB, COMMUNITY_B)).toMatchObject([
				{ communityCode: COMMUNITY_B, kind: 'abnormal_residents', value: 5, threshold: 3 }
			]);
			// Community A was not written: still its single alert.
			expect(await alertsOf(head, COMMUNITY_A)).toHaveLength(1);
		});

		it('evaluates a community after its settings change and after an incident move that changes its figures', async () => {
			// A lower missed check-in threshold, with the cut-off past: community A's resident who
			// checks in daily has not, so that kind is raised now.
			await put(head, COMMUNITY_A, {
				checkinCutoff: '00:00',
				thresholds: { abnormalResidents: 2, missedCheckins: 1, coverageBehindPct: 20 }
			});
			await within(2000, async () =>
				(await alertsOf(head, COMMUNITY_A)).some((a) => a.kind === 'missed_checkins')
			);
			expect((await alertsOf(head, COMMUNITY_A)).map((a) => a.kind).sort()).toEqual([
				'abnormal_residents',
				'missed_checkins'
			]);
			// An incident goes round the closed loop; only closing it changes the figures.
			const id = uuid();
			const [created] = await push(worker, [
				ins('incidents', id, {
					gridId: fx.grids.a1,
					category: 'safety',
					severity: 'low',
					description: '楼道堆物',
					status: 'reported'
				})
			]);
			expect(created.version).toBeGreaterThan(0);
			await scheduler.idle();
			const before = scheduler.stats.evaluations;
			const move = async (body: object) => {
				const res = await head.request(`/incidents/${id}/transition`, {
					method: 'POST',
					body: JSON.stringify(body)
				});
				expect(res.status, await res.clone().text()).toBe(200);
				return ((await res.json()) as { version: number }).version;
			};
			await move({ to: 'accepted' });
			let version = await move({ to: 'dispatched', assigneeId: fx.users.worker_a1.id });
			for (const status of ['in_progress', 'resolved']) {
				const [r] = await push(worker, [
					{
						id: uuid(),
						table: 'incidents',
						op: 'update',
						rowId: id,
						baseVersion: version,
						fields: { status }
					}
				]);
				version = r.version!;
			}
			await move({ to: 'verified' });
			await scheduler.idle();
			expect(scheduler.stats.evaluations).toBe(before);
			await move({ to: 'closed' });
			await scheduler.idle();
			expect(scheduler.stats.evaluations).toBe(before + 1);
		});

		it('never runs two evaluations of one community at once, those of the job included', async () => {
			const rollup = db.store.rollup();
			const figures = rollup.figures.bind(rollup);
			const reads: { code: string; start: number; end: number }[] = [];
			// Evaluations read figures; each read takes a while here, so that evaluations meet.
			rollup.figures = async (codes, periods) => {
				const start = performance.now();
				await new Promise((resolve) => setTimeout(resolve, 100));
				try {
					return await figures(codes, periods);
				} finally {
					reads.push({ code: codes[0], start, end: performance.now() });
				}
			};
			try {
				// A prompt evaluation of community B falls due while two passes of the job evaluate it.
				await push(workerB, [feverVisit(households.b, [residents.b[0]])]);
				await new Promise((resolve) => setTimeout(resolve, 400));
				await Promise.all([
					scheduler.evaluate([COMMUNITY_B], new Date()),
					scheduler.evaluate([COMMUNITY_B], new Date())
				]);
				await scheduler.idle();
			} finally {
				rollup.figures = figures;
			}
			const ofB = reads.filter((r) => r.code === COMMUNITY_B).sort((a, b) => a.start - b.start);
			expect(ofB).toHaveLength(3);
			for (let i = 1; i < ofB.length; i++)
				expect(ofB[i].start).toBeGreaterThanOrEqual(ofB[i - 1].end);
		});

		it('logs a failed evaluation and leaves it to the one-minute job', async () => {
			const sup = db.store.supervision();
			const raise = sup.raiseAlert.bind(sup);
			sup.raiseAlert = async () => {
				throw new Error('database unavailable');
			};
			const failures = scheduler.stats.failures;
			try {
				// Community B's resident who checks in daily has not: due once the threshold is 1.
				await put(headB, COMMUNITY_B, {
					checkinCutoff: '00:00',
					thresholds: { abnormalResidents: 3, missedCheckins: 1, coverageBehindPct: 20 }
				});
				await scheduler.idle();
			} finally {
				sup.raiseAlert = raise;
			}
			expect(scheduler.stats.failures).toBe(failures + 1);
			const line = logs
				.map((l) => JSON.parse(l) as Record<string, unknown>)
				.find((l) => String(l.msg).startsWith('alert evaluation'));
			expect(line).toMatchObject({ level: 'error', communityCode: COMMUNITY_B, error: 'Error' });
			// The error's message is not logged (one may quote personal data).
			expect(JSON.stringify(line)).not.toContain('database unavailable');
			expect((await alertsOf(headB, COMMUNITY_B)).map((a) => a.kind)).toEqual([
				'abnormal_residents'
			]);
			// The job's next run raises it.
			expect((await runSupervisionJobs(db.store, new Date(), TZ, scheduler)).alerts).toBe(1);
			expect((await alertsOf(headB, COMMUNITY_B)).map((a) => a.kind).sort()).toEqual([
				'abnormal_residents',
				'missed_checkins'
			]);
		});
	});
}

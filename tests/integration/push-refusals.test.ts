// Input the databases would refuse never reaches them, and a value one refuses anyway costs only
// its own mutation: the rest of the batch applies exactly once (both databases).
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, foldChanges, testApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const uuid = () => crypto.randomUUID();
const CLOCK = new Date('2026-11-24T08:00:00+08:00');
const REFUSED = 'refuse-me';

const ins = (table: string, rowId: string, fields: Record<string, unknown>) => ({
	id: uuid(),
	table,
	op: 'insert',
	rowId,
	fields
});

/** A trigger that refuses the address REFUSED: a value every check lets through. */
async function refuseAddress(db: TestStore, dialect: string) {
	if (dialect === 'sqlite') {
		const client = new Database(db.url.replace(/^file:/, ''));
		for (const event of ['INSERT', 'UPDATE'])
			client.exec(
				`CREATE TRIGGER refuse_${event.toLowerCase()} BEFORE ${event} ON households ` +
					`WHEN NEW.address = '${REFUSED}' BEGIN SELECT RAISE(ABORT, 'refused'); END`
			);
		client.close();
		return;
	}
	const sql = postgres(db.url, { max: 1, onnotice: () => {} });
	await sql.unsafe(`CREATE FUNCTION refuse_address() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.address = '${REFUSED}' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`);
	await sql.unsafe(`CREATE TRIGGER refuse_address BEFORE INSERT OR UPDATE ON households
		FOR EACH ROW EXECUTE FUNCTION refuse_address()`);
	await sql.end();
}

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`refused input (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let worker: ApiClient;
		let head: ApiClient;

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			const app = testApp(db.store, () => CLOCK);
			worker = await new ApiClient(app).login('worker_a1');
			head = await new ApiClient(app).login('head_a');
			await refuseAddress(db, dialect);
		});
		afterAll(async () => db.dispose());

		const gridFigures = async () => {
			const res = await head.request(`/rollup/${fx.grids.a1}`);
			expect(res.status).toBe(200);
			return ((await res.json()) as { metrics: Record<string, number> }).metrics;
		};

		it('rejects only the mutation the database refuses; the rest applies exactly once', async () => {
			const existing = uuid();
			const [first] = await worker.push([
				ins('households', existing, { gridId: fx.grids.a1, address: '民生路1号' })
			]);
			expect(first.status).toBe('applied');
			const before = await gridFigures();
			const { cursor } = await worker.pullAll();

			const kept = uuid();
			const refused = uuid();
			const resident = uuid();
			const orphan = uuid();
			const visit = uuid();
			const batch = [
				ins('households', kept, { gridId: fx.grids.a1, address: '民生路2号' }),
				ins('households', refused, { gridId: fx.grids.a1, address: REFUSED }),
				ins('residents', resident, { householdId: kept, name: '黄桂英' }),
				ins('residents', orphan, { householdId: refused, name: '李建国' }),
				ins('visits', visit, {
					householdId: kept,
					visitedAt: CLOCK.toISOString(),
					outcome: 'visited',
					checks: []
				}),
				{
					id: uuid(),
					table: 'households',
					op: 'update',
					rowId: existing,
					baseVersion: first.version,
					fields: { address: REFUSED }
				},
				{
					id: uuid(),
					table: 'households',
					op: 'update',
					rowId: existing,
					baseVersion: first.version,
					fields: { tags: ['elderly_alone'] }
				}
			];
			const results = await worker.push(batch);
			expect(results.map((r) => r.reason ?? r.status)).toEqual([
				'applied',
				'households.address: the database refused this value',
				'applied',
				'fields.householdId: no such household',
				'applied',
				'households.address: the database refused this value',
				'applied'
			]);

			// A replay: the applied ones are duplicates, the refused one is refused again.
			const replay = await worker.push(batch);
			expect(replay.map((r) => r.reason ?? r.status)).toEqual([
				'duplicate',
				'households.address: the database refused this value',
				'duplicate',
				'fields.householdId: no such household',
				'duplicate',
				'households.address: the database refused this value',
				'duplicate'
			]);

			// The change log holds the applied mutations only, once each.
			const { changes } = await worker.pullAll(cursor);
			const rows = foldChanges(changes);
			expect([...rows.keys()].sort()).toEqual([existing, kept, resident, visit].sort());
			expect(changes.filter((c) => c.op === 'insert').map((c) => c.rowId)).toEqual([
				kept,
				resident,
				visit
			]);
			expect(rows.get(kept)).toMatchObject({ address: '民生路2号', memberCount: 1 });
			expect(rows.get(existing)).toMatchObject({ tags: ['elderly_alone'] });
			expect(rows.get(existing)).not.toHaveProperty('address');
			// Change-log sequence numbers stay dense and ordered after the rolled-back savepoints.
			const versions = changes.map((c) => c.version);
			expect(versions).toEqual([...versions].sort((a, b) => a - b));
			expect(new Set(versions).size).toBe(versions.length);

			// The roll-up counts the applied household and visit once.
			const after = await gridFigures();
			expect(after.households - before.households).toBe(1);
			expect(after.visits - before.visits).toBe(1);
			expect(after.visitedHouseholds - before.visitedHouseholds).toBe(1);
		});

		it('rejects instants outside 2000-01-01 .. now + 24 h, naming the field', async () => {
			const household = uuid();
			const resident = uuid();
			const setup = await worker.push([
				ins('households', household, { gridId: fx.grids.a1, address: '民生路3号' }),
				ins('residents', resident, { householdId: household, name: '张明' })
			]);
			expect(setup.map((r) => r.status)).toEqual(['applied', 'applied']);
			const visitAt = (visitedAt: string) =>
				ins('visits', uuid(), {
					householdId: household,
					visitedAt,
					outcome: 'visited',
					checks: []
				});
			const checkinAt = (at: string) =>
				ins('checkins', uuid(), { residentId: resident, at, status: 'fine', channel: 'worker' });
			const auditAt = (at: string) =>
				ins('audit', uuid(), {
					residentId: resident,
					field: 'phone',
					reason: 'contact_resident',
					at
				});
			const hours = (h: number) => new Date(CLOCK.getTime() + h * 3600_000).toISOString();
			const before = await gridFigures();
			const results = await worker.push([
				visitAt('0000-01-01T00:00:00Z'),
				visitAt('9999-12-31T23:00:00Z'),
				visitAt('1999-12-31T23:59:59Z'),
				visitAt(hours(25)),
				visitAt(hours(23)),
				visitAt('2000-01-01T00:00:00Z'),
				checkinAt('0000-06-01T00:00:00+08:00'),
				checkinAt('9999-01-01T00:00:00Z'),
				checkinAt(hours(1)),
				auditAt('0000-01-01T00:00:00Z'),
				auditAt('9999-01-01T00:00:00Z'),
				auditAt(hours(0))
			]);
			const early = 'must not be before 2000-01-01T00:00:00Z';
			const late = 'must not be more than 24 hours ahead of now';
			expect(results.map((r) => r.reason ?? r.status)).toEqual([
				`fields.visitedAt: ${early}`,
				`fields.visitedAt: ${late}`,
				`fields.visitedAt: ${early}`,
				`fields.visitedAt: ${late}`,
				'applied',
				'applied',
				`fields.at: ${early}`,
				`fields.at: ${late}`,
				'applied',
				`fields.at: ${early}`,
				`fields.at: ${late}`,
				'applied'
			]);
			// No figures under a day beyond tomorrow: only the two applied visits count.
			const after = await gridFigures();
			expect(after.visits - before.visits).toBeLessThanOrEqual(2);
			const far = await head.request(`/rollup/${fx.grids.a1}?date=9999-12-31`);
			expect(far.status).toBe(200);
			const farBody = (await far.json()) as { metrics: Record<string, number> };
			expect(farBody.metrics.visits).toBe(0);
		});

		it('refuses control characters and lone surrogates in text, naming the field', async () => {
			const results = await worker.push([
				ins('households', uuid(), { gridId: fx.grids.a1, address: '民生路\u00004号' }),
				ins('households', uuid(), { gridId: fx.grids.a1, address: '民生路\ud8004号' }),
				ins('households', uuid(), { gridId: fx.grids.a1, address: '民生路4号', tags: ['a\tb'] }),
				ins('incidents', uuid(), {
					gridId: fx.grids.a1,
					category: 'other',
					severity: 'low',
					description: '第一行\n第二行\t完',
					status: 'reported'
				}),
				ins('incidents', uuid(), {
					gridId: fx.grids.a1,
					category: 'other',
					severity: 'low',
					description: '回车\r不行',
					status: 'reported'
				})
			]);
			expect(results.map((r) => r.reason ?? r.status)).toEqual([
				'fields.address: must not contain control characters',
				'fields.address: must not contain invalid Unicode (a lone surrogate)',
				'fields.tags.0: must not contain control characters',
				'applied',
				'fields.description: must not contain control characters'
			]);
			// The envelope's device id too: the whole push is refused, before anything is applied.
			const res = await worker.request('/sync/push', {
				method: 'POST',
				body: JSON.stringify({ deviceId: 'tab\u0000let', mutations: [] })
			});
			expect(res.status).toBe(400);
			expect(await res.json()).toMatchObject({ field: 'deviceId' });
		});

		it('answers 400 naming `date` for a date that is not on the calendar', async () => {
			for (const date of ['2026-02-30', '2026-13-01', '0000-01-01', '2026-2-3']) {
				const res = await head.request(`/rollup/${fx.grids.a1}?date=${date}`);
				expect(res.status, date).toBe(400);
				expect(await res.json()).toMatchObject({ error: 'invalid_input', field: 'date' });
			}
			const leap = await head.request(`/rollup/${fx.grids.a1}?date=2028-02-29`);
			expect(leap.status).toBe(200);
			const summary = await head.request('/communities/450102001003/summary.xlsx?date=2026-02-30');
			expect(summary.status).toBe(400);
			expect(await summary.json()).toMatchObject({ field: 'date' });
		});
	});
}

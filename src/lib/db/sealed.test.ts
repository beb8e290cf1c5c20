// Encryption at rest of sensitive fields, on fake-indexeddb with Node's WebCrypto: what is stored
// is ciphertext (rows, kept-aside server values, outbox), what screens read and what is pushed is
// the clear value, and nothing opens under a wrong key or while locked.
import { afterEach, describe, expect, it } from 'vitest';
import type { GridcareDb } from './db';
import {
	addHousehold,
	addResident,
	recordVisit,
	reportIncident,
	residentsOfHousehold,
	updateResident,
	visitsOfHousehold
} from './repositories';
import { FieldCipher, isSealed, LockedError } from './sealed';
import { outboxView } from './worker-reads';
import { newDataKey } from '$lib/privacy/crypto';
import { SyncEngine } from '$lib/sync/engine';
import { applyPulledPage } from '$lib/sync/pull';
import { ManualTimers, openTestDb } from '$lib/sync/test-support';
import { TEST_GRID as GRID, TestServer } from '$lib/sync/test-server';
import { ROUTINE_TEMPLATE_ID } from '$lib/shared/templates';

const FEVER_ID = '00000000-0000-4000-8000-000000000002';

const PHONE = '13800138000';
const NOTE = '老人独居，腿脚不便';
const LANDLINE = '0771-5551234';
const RESIDENT_NOTE = '女儿在南宁工作，每周回来';

const dbs: GridcareDb[] = [];
const servers: TestServer[] = [];
afterEach(async () => {
	for (const db of dbs.splice(0)) db.close();
	for (const server of servers.splice(0)) await server.close();
});

async function unlockedDb(): Promise<GridcareDb> {
	const db = openTestDb({ encrypted: true });
	db.cipher = new FieldCipher(await newDataKey());
	dbs.push(db);
	return db;
}

/** Everything stored in the database, as one string, read without the cipher. */
async function rawText(db: GridcareDb): Promise<string> {
	const tables = await Promise.all(db.tables.map((table) => table.toArray()));
	return JSON.stringify(tables, (_key, value: unknown) =>
		value instanceof Uint8Array ? `bytes:${value.length}` : value
	);
}

async function recordSome(db: GridcareDb) {
	const household = await addHousehold(db, { gridId: GRID, address: '幸福路 8 号' });
	const resident = await addResident(db, {
		householdId: household.id,
		name: '王秀英',
		phone: PHONE,
		relation: '户主',
		landline: LANDLINE,
		note: RESIDENT_NOTE
	});
	await recordVisit(db, {
		householdId: household.id,
		visitedAt: new Date('2026-11-20T02:00:00Z').toISOString(),
		outcome: 'visited',
		checks: [
			{ residentId: resident.id, temperature: 38.6, symptoms: ['咳嗽'], healthCode: 'yellow' }
		],
		note: NOTE
	});
	await reportIncident(db, {
		gridId: GRID,
		householdId: household.id,
		category: 'health',
		severity: 'high',
		description: '发烧三天未就医'
	});
	return { household, resident };
}

describe('a field cipher', () => {
	it('opens what it sealed, and refuses a wrong key or another field', async () => {
		const cipher = new FieldCipher(await newDataKey());
		const sealed = await cipher.seal('phone', PHONE);
		expect(isSealed(sealed)).toBe(true);
		expect(new TextDecoder().decode(sealed.sealed)).not.toContain(PHONE);
		expect(await cipher.open('phone', sealed)).toBe(PHONE);
		const other = new FieldCipher(await newDataKey());
		await expect(other.open('phone', sealed)).rejects.toThrow();
		await expect(cipher.open('note', sealed)).rejects.toThrow();
		// A fresh IV each time: equal values do not give equal ciphertexts.
		const again = await cipher.seal('phone', PHONE);
		expect(again.sealed).not.toEqual(sealed.sealed);
	});

	it('never uses an IV twice, across many values sealed at once', async () => {
		const cipher = new FieldCipher(await newDataKey());
		// More values than one draw of random bytes gives IVs for.
		const sealed = await Promise.all(
			Array.from({ length: 2500 }, (_, i) => cipher.seal('note', `note ${i}`))
		);
		const ivs = new Set(
			sealed.map(({ sealed }) => Buffer.from(sealed.subarray(0, 12)).toString('hex'))
		);
		expect(ivs.size).toBe(2500);
		expect(await cipher.open('note', sealed[2499])).toBe('note 2499');
		// Each sealed value owns its bytes (not a view into a shared buffer).
		expect(sealed[0].sealed.byteOffset).toBe(0);
		expect(sealed[0].sealed.buffer.byteLength).toBe(sealed[0].sealed.byteLength);
	});
});

describe('sealed fields on the device', () => {
	it('keeps phones, health checks and notes as ciphertext in rows and in the outbox', async () => {
		const db = await unlockedDb();
		const { household } = await recordSome(db);
		const raw = await rawText(db);
		const secrets = [PHONE, LANDLINE, '5551234', RESIDENT_NOTE, NOTE, '38.6', '咳嗽', 'yellow'];
		for (const secret of [...secrets, '发烧三天未就医']) expect(raw).not.toContain(secret);
		// Names, relations and addresses stay in clear: lists and search work without the key.
		expect(raw).toContain('王秀英');
		expect(raw).toContain('户主');
		expect(raw).toContain('幸福路 8 号');
		const [stored] = await db.residents.toArray();
		expect(isSealed(stored.phone)).toBe(true);
		expect(isSealed(stored.landline)).toBe(true);
		expect(isSealed(stored.note)).toBe(true);

		// Screens read clear values.
		const [resident] = await residentsOfHousehold(db, household.id);
		expect(resident).toMatchObject({
			phone: PHONE,
			relation: '户主',
			landline: LANDLINE,
			note: RESIDENT_NOTE
		});
		const [visit] = await visitsOfHousehold(db, household.id);
		expect(visit.note).toBe(NOTE);
		expect(visit.checks[0]).toMatchObject({ temperature: 38.6, healthCode: 'yellow' });
		expect(visit.abnormal).toBe(true);
		const view = await outboxView(db);
		expect(view.pending.map((item) => item.entry.mutation.fields.phone)).toContain(PHONE);
		expect(view.pending.map((item) => item.entry.mutation.fields.landline)).toContain(LANDLINE);
	});

	it('keeps a visit’s answers to a check template as ciphertext, their flags included', async () => {
		const db = await unlockedDb();
		const household = await addHousehold(db, { gridId: GRID, address: '幸福路 9 号' });
		const resident = await addResident(db, { householdId: household.id, name: '李桂芳' });
		await recordVisit(db, {
			householdId: household.id,
			visitedAt: new Date('2026-11-20T02:00:00Z').toISOString(),
			outcome: 'visited',
			checks: [],
			templateId: FEVER_ID,
			templateVersion: 1,
			answers: [
				{ residentId: resident.id, key: 'temperature', value: 38.7 },
				{ residentId: resident.id, key: 'travel', value: '去过乌鲁木齐' }
			]
		});
		const raw = await rawText(db);
		for (const secret of ['38.7', '乌鲁木齐', 'temperature', 'travel'])
			expect(raw).not.toContain(secret);
		const [stored] = await db.visits.toArray();
		expect(isSealed(stored.answers)).toBe(true);
		// The abnormal flag of the visit stays in clear for lists and counts.
		expect(stored.abnormal).toBe(true);
		const [visit] = await visitsOfHousehold(db, household.id);
		expect(visit.answers).toEqual([
			{ residentId: resident.id, key: 'temperature', value: 38.7, abnormal: true },
			{ residentId: resident.id, key: 'travel', value: '去过乌鲁木齐' }
		]);
		const [entry] = (await outboxView(db)).pending.filter((i) => i.entry.table === 'visits');
		expect(entry.entry.mutation.fields.answers).toEqual([
			{ residentId: resident.id, key: 'temperature', value: 38.7 },
			{ residentId: resident.id, key: 'travel', value: '去过乌鲁木齐' }
		]);
		// Locked, they are not read.
		db.cipher = null;
		await expect(visitsOfHousehold(db, household.id)).rejects.toBeInstanceOf(LockedError);
	});

	it('seals pulled answers before they are stored', async () => {
		const db = await unlockedDb();
		const answers = [{ residentId: 'r1', key: 'health', value: '较差', abnormal: true }];
		await applyPulledPage(
			db,
			{
				changes: [
					{
						table: 'visits',
						op: 'insert',
						rowId: '0196f1d2-0000-7000-8000-0000000000c2',
						fields: {
							householdId: 'h1',
							visitedAt: '2026-11-20T02:00:00.000Z',
							outcome: 'visited',
							checks: [],
							needs: [],
							note: null,
							abnormal: true,
							templateId: ROUTINE_TEMPLATE_ID,
							templateVersion: 1,
							answers
						},
						version: 5
					}
				],
				cursor: '5',
				hasMore: false
			},
			'user-1'
		);
		expect(await rawText(db)).not.toContain('较差');
		const [row] = await db.openRows(await db.visits.toArray());
		expect(row).toMatchObject({ templateId: ROUTINE_TEMPLATE_ID, answers, abnormal: true });
	});

	it('keeps an edited phone and the value it replaced sealed', async () => {
		const db = await unlockedDb();
		const { household, resident } = await recordSome(db);
		await db.residents.update(resident.id, { version: 3 });
		await updateResident(db, resident.id, { phone: '13900139000' });
		const raw = await rawText(db);
		expect(raw).not.toContain('13900139000');
		const [row] = await residentsOfHousehold(db, household.id);
		expect(row.phone).toBe('13900139000');
		expect(row.serverValues).toEqual({ phone: PHONE });
	});

	it('refuses to read or write sealed fields while locked', async () => {
		const db = await unlockedDb();
		const { household } = await recordSome(db);
		const key = db.cipher;
		db.cipher = null;
		await expect(residentsOfHousehold(db, household.id)).rejects.toBeInstanceOf(LockedError);
		await expect(
			addResident(db, { householdId: household.id, name: '李建国', phone: '13700137000' })
		).rejects.toBeInstanceOf(LockedError);
		// Unlocking again restores what was there, and nothing half-written was added.
		db.cipher = key;
		expect((await residentsOfHousehold(db, household.id)).map((r) => r.name)).toEqual(['王秀英']);
	});

	it('seals pulled values before they are stored', async () => {
		const db = await unlockedDb();
		await applyPulledPage(
			db,
			{
				changes: [
					{
						table: 'residents',
						op: 'insert',
						rowId: '0196f1d2-0000-7000-8000-0000000000c1',
						fields: {
							householdId: 'h1',
							name: '赵敏',
							phone: '13600136000',
							relation: '配偶',
							landline: '0771-5550000',
							note: '耳背，敲门要大声'
						},
						version: 4
					}
				],
				cursor: '4',
				hasMore: false
			},
			'user-1'
		);
		const raw = await rawText(db);
		for (const secret of ['13600136000', '5550000', '耳背']) expect(raw).not.toContain(secret);
		const [row] = await db.openRows(await db.residents.toArray());
		expect(row).toMatchObject({
			name: '赵敏',
			phone: '13600136000',
			relation: '配偶',
			landline: '0771-5550000',
			note: '耳背，敲门要大声',
			version: 4
		});
	});

	it('opens outbox entries before they are pushed', async () => {
		const db = await unlockedDb();
		// The server's clock is a little after the visit.
		const server = await TestServer.open({ now: () => Date.parse('2026-11-20T08:00:00Z') });
		servers.push(server);
		const link = await server.connect('worker', 'tablet-1');
		await recordSome(db);
		const engine = new SyncEngine({
			db,
			transport: link.transport,
			deviceId: 'tablet-1',
			userId: 'user-1',
			timers: new ManualTimers(),
			network: null,
			lock: (run) => run()
		});
		const status = await engine.syncNow();
		expect(status).toMatchObject({ state: 'idle', pending: 0, rejected: 0 });
		const pushed = link.pushes.flat();
		const resident = pushed.find((m) => m.table === 'residents');
		const visit = pushed.find((m) => m.table === 'visits');
		expect(resident?.fields).toMatchObject({
			phone: PHONE,
			relation: '户主',
			landline: LANDLINE,
			note: RESIDENT_NOTE
		});
		expect(visit?.fields).toMatchObject({ note: NOTE });
		expect(JSON.stringify(visit?.fields.checks)).toContain('38.6');
		expect(pushed.some((m) => Object.values(m.fields).some(isSealed))).toBe(false);
		// What the pull brought back is sealed again on the device.
		const raw = await rawText(db);
		for (const secret of [PHONE, LANDLINE, RESIDENT_NOTE]) expect(raw).not.toContain(secret);
	});
});

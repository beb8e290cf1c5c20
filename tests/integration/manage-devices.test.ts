// Devices, kiosks and the division import from the administration screens, on a real SQLite
// file and the real PostgreSQL: who lists whose devices (names, never logins), revoking and
// retiring (the device is told to wipe itself on its next request), importing a province with
// the counts the CLI prints, the refusals and the audit trail.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/auth/password';
import { countsInPackage } from '../../server/divisions/import';
import type { DeviceList, DivisionImportResult, ProvinceList } from '../../src/lib/shared/devices';
import { ApiClient, testApp, type TestApp } from './api-client';
import { PASSWORD, seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const run = promisify(execFile);
const BIN = new URL('../../bin/gridcare.js', import.meta.url).pathname;
const uuid = () => crypto.randomUUID();
const COMMUNITY_A = '450102001003';
/** 宁夏回族自治区: a small province, imported in seconds. */
const SMALL_PROVINCE = '64';

async function errorOf(res: Response): Promise<{ error: string; field?: string }> {
	return (await res.json()) as { error: string; field?: string };
}

/** `import-divisions` as an operator runs it, on its own SQLite file; the counts it prints. */
async function cliCounts(province: string): Promise<Record<string, number>> {
	const dir = mkdtempSync(join(tmpdir(), 'gridcare-cli-'));
	try {
		const env = { ...process.env, DATABASE_URL: `file:${join(dir, 'cli.db')}` };
		const { stdout } = await run(
			process.execPath,
			[BIN, 'import-divisions', '--province', province],
			{ env, timeout: 120_000 }
		);
		return JSON.parse(stdout.slice(stdout.indexOf('{'))) as Record<string, number>;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`devices and divisions (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let app: TestApp;
		let head: ApiClient;
		let headB: ApiClient;
		let street: ApiClient;
		let admin: ApiClient;
		let worker: ApiClient;
		let workerB: ApiClient;
		let kiosk: ApiClient;
		let checkinAt: string;

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			app = testApp(db.store);
			await db.store.createUser({
				username: 'wei_login',
				role: 'grid_worker',
				scope: [fx.grids.a2],
				passwordHash: await hashPassword(PASSWORD),
				displayName: '韦小红'
			});
			await db.store.createUser({
				username: 'root',
				role: 'admin',
				scope: ['*'],
				passwordHash: await hashPassword(PASSWORD),
				displayName: null
			});
			head = await new ApiClient(app, 'head-desk').login('head_a');
			headB = await new ApiClient(app, 'head-b-desk').login('head_b');
			street = await new ApiClient(app, 'street-desk').login('street');
			admin = await new ApiClient(app, 'admin-desk').login('admin');
			worker = await new ApiClient(app, 'tab-a1').login('worker_a1');
			workerB = await new ApiClient(app, 'tab-b1').login('worker_b1');
			await new ApiClient(app, 'tab-wei').login('wei_login');
			const household = uuid();
			const elder = uuid();
			const pushed = await worker.push([
				{
					id: uuid(),
					table: 'households',
					op: 'insert',
					rowId: household,
					fields: { gridId: fx.grids.a1, address: '民生路8号' }
				},
				{
					id: uuid(),
					table: 'residents',
					op: 'insert',
					rowId: elder,
					fields: { householdId: household, name: '黄桂英', dailyCheckIn: true }
				}
			]);
			expect(pushed.every((r) => r.status === 'applied')).toBe(true);
			// The head enrols the service centre's kiosk, which records a check-in.
			const enrolled = await new ApiClient(app, 'kiosk-hall').login('head_a');
			const res = await enrolled.request('/kiosks', {
				method: 'POST',
				body: JSON.stringify({
					communityCode: COMMUNITY_A,
					deviceId: 'kiosk-hall',
					name: '服务中心'
				})
			});
			expect(res.status).toBe(201);
			kiosk = new ApiClient(app, 'kiosk-hall').withToken(
				((await res.json()) as { token: string }).token
			);
			checkinAt = new Date(Date.now() - 60_000).toISOString();
			const checked = await kiosk.push([
				{
					id: uuid(),
					table: 'checkins',
					op: 'insert',
					rowId: uuid(),
					fields: { residentId: elder, at: checkinAt, status: 'fine', channel: 'kiosk', needs: [] }
				}
			]);
			expect(checked.map((r) => r.status)).toEqual(['applied']);
		});
		afterAll(async () => db?.dispose());

		const list = async (client: ApiClient, code?: string) => {
			const res = await client.request(`/devices${code ? `?code=${code}` : ''}`);
			expect(res.status).toBe(200);
			return (await res.json()) as DeviceList;
		};
		const deviceIds = (l: DeviceList) =>
			l.people.flatMap((p) => p.devices.map((d) => d.deviceId)).sort();

		it("lists the head's community's people's devices by name, and its kiosk's last check-in", async () => {
			const l = await list(head);
			expect(l.code).toBe(COMMUNITY_A);
			expect(deviceIds(l)).toEqual(['head-desk', 'kiosk-hall', 'tab-a1', 'tab-wei']);
			const wei = l.people.find((p) => p.devices.some((d) => d.deviceId === 'tab-wei'))!;
			expect(wei).toMatchObject({ name: '韦小红', role: 'grid_worker', disabled: false });
			expect(JSON.stringify(l)).not.toContain('wei_login');
			const tablet = l.people.flatMap((p) => p.devices).find((d) => d.deviceId === 'tab-a1')!;
			expect(tablet.kind).toBe('tablet');
			expect(tablet.lastSyncAt).not.toBeNull();
			expect(tablet.revokedAt).toBeNull();
			expect(l.kiosks).toHaveLength(1);
			expect(l.kiosks[0]).toMatchObject({
				deviceId: 'kiosk-hall',
				kind: 'kiosk',
				name: '服务中心',
				communityCode: COMMUNITY_A,
				lastCheckinAt: checkinAt,
				retired: false
			});
		});

		it("lists a street's devices for its officer and an administrator; officers by role only", async () => {
			const s = await list(street);
			expect(deviceIds(s)).toEqual(
				[
					'head-b-desk',
					'head-desk',
					'kiosk-hall',
					'street-desk',
					'tab-a1',
					'tab-b1',
					'tab-wei'
				].sort()
			);
			const officer = s.people.find((p) => p.role === 'street_officer')!;
			expect(officer.name).toBeNull();
			const a = await list(admin);
			expect(deviceIds(a)).toContain('admin-desk');
			expect(deviceIds(await list(admin, COMMUNITY_A))).toEqual(deviceIds(await list(head)));
		});

		it('refuses other roles and divisions outside the scope, naming the field', async () => {
			for (const [client, path] of [
				[worker, '/devices'],
				[kiosk, '/devices'],
				[headB, `/devices?code=${COMMUNITY_A}`],
				[head, '/devices?code=450102001'],
				[admin, '/devices?code=*']
			] as const) {
				const res = await client.request(path);
				expect(res.status, path).toBe(403);
			}
			const bad = await head.request('/devices?code=4501x');
			expect(bad.status).toBe(400);
			expect((await errorOf(bad)).field).toBe('code');
		});

		it("lets a street officer revoke a worker's tablet of their street: it is told to wipe", async () => {
			expect((await headB.request('/devices/tab-a1/revoke', { method: 'POST' })).status).toBe(403);
			expect((await head.request('/devices/street-desk/revoke', { method: 'POST' })).status).toBe(
				403
			);
			const res = await street.request('/devices/tab-b1/revoke', { method: 'POST' });
			expect(res.status).toBe(200);
			const next = await workerB.request('/sync/pull?limit=1');
			expect(next.status).toBe(401);
			expect((await errorOf(next)).error).toBe('revoked');
			const listed = (await list(street)).people.flatMap((p) => p.devices);
			expect(listed.find((d) => d.deviceId === 'tab-b1')!.revokedAt).not.toBeNull();
			expect(listed.find((d) => d.deviceId === 'tab-a1')!.revokedAt).toBeNull();
			const [entry] = await db.store.auditEntries({ communityCode: '450102001004', limit: 1 });
			expect(entry).toMatchObject({
				action: 'device_revoked',
				subjectId: 'tab-b1',
				role: 'street_officer'
			});
		});

		it('retires a kiosk: its next request is told to wipe, its user is disabled, audited', async () => {
			expect((await headB.request('/kiosks/kiosk-hall/retire', { method: 'POST' })).status).toBe(
				403
			);
			expect((await worker.request('/kiosks/kiosk-hall/retire', { method: 'POST' })).status).toBe(
				403
			);
			const notKiosk = await head.request('/kiosks/tab-a1/retire', { method: 'POST' });
			expect(notKiosk.status).toBe(404);
			expect((await kiosk.request('/kiosk/directory')).status).toBe(200);
			const res = await head.request('/kiosks/kiosk-hall/retire', { method: 'POST' });
			expect(res.status).toBe(200);
			expect(((await res.json()) as { revokedSessions: number }).revokedSessions).toBe(2);
			const next = await kiosk.request('/kiosk/directory');
			expect(next.status).toBe(401);
			expect((await errorOf(next)).error).toBe('revoked');
			expect(await db.store.deviceRevoked('kiosk-hall')).toBe(true);
			const [k] = (await list(head)).kiosks;
			expect(k.retired).toBe(true);
			const [entry] = await db.store.auditEntries({ communityCode: COMMUNITY_A, limit: 1 });
			expect(entry).toMatchObject({
				action: 'kiosk_retired',
				subjectType: 'device',
				subjectId: 'kiosk-hall'
			});
			// The worker's tablet in the same community was left alone.
			expect((await worker.request('/sync/pull?limit=1')).status).toBe(200);
		});

		describe('division import', () => {
			const importing = (client: ApiClient, body: unknown) =>
				client.request('/divisions/import', { method: 'POST', body: JSON.stringify(body) });

			it('offers an administrator the provinces of their scope, by name', async () => {
				const res = await admin.request('/provinces');
				expect(res.status).toBe(200);
				const { provinces } = (await res.json()) as ProvinceList;
				expect(provinces).toEqual([{ code: '45', name: '广西壮族自治区', imported: 7 }]);
				const root = await new ApiClient(app).login('root');
				const all = (await (await root.request('/provinces')).json()) as ProvinceList;
				expect(all.provinces).toHaveLength(31);
				expect(all.provinces.find((p) => p.code === SMALL_PROVINCE)).toMatchObject({
					name: '宁夏回族自治区',
					imported: 0
				});
				expect((await head.request('/provinces')).status).toBe(403);
			});

			it('refuses anyone but an administrator of all China or of the province', async () => {
				for (const client of [admin, head, street, await new ApiClient(app).login('province')]) {
					const res = await importing(client, { province: SMALL_PROVINCE });
					expect(res.status).toBe(403);
				}
				expect(await db.store.countDivisions(SMALL_PROVINCE)).toEqual(
					expect.objectContaining({ province: 0, community: 0 })
				);
			});

			it('names the field for a malformed or unknown province', async () => {
				const root = await new ApiClient(app).login('root');
				for (const province of ['6', '99']) {
					const res = await importing(root, { province });
					expect(res.status, province).toBe(400);
					expect((await errorOf(res)).field).toBe('province');
				}
			});

			it('imports a province with the counts the CLI prints, idempotently, audited', async () => {
				const root = await new ApiClient(app).login('root');
				const res = await importing(root, { province: SMALL_PROVINCE });
				expect(res.status).toBe(200);
				const first = (await res.json()) as DivisionImportResult;
				expect(first.province).toBe(SMALL_PROVINCE);
				expect(first.ms).toBeGreaterThan(0);
				expect(first.counts).toEqual(await countsInPackage(SMALL_PROVINCE));
				expect(first.counts).toEqual(await cliCounts(SMALL_PROVINCE));
				expect(await db.store.countDivisions(SMALL_PROVINCE)).toEqual(first.counts);
				const again = (await (
					await importing(root, { province: SMALL_PROVINCE })
				).json()) as DivisionImportResult;
				expect(again.counts).toEqual(first.counts);
				expect(await db.store.countDivisions(SMALL_PROVINCE)).toEqual(first.counts);
				// The existing tree is untouched.
				expect(await db.store.getDivision(COMMUNITY_A)).toMatchObject({ name: '兴宁社区居委会' });
				const entries = (await db.store.auditEntries({ limit: 5 })).filter(
					(e) => e.action === 'divisions_imported'
				);
				expect(entries).toHaveLength(2);
				expect(entries[0]).toMatchObject({
					subjectType: 'division',
					subjectId: SMALL_PROVINCE,
					role: 'admin'
				});
				expect(entries[0].details).toMatchObject({ counts: first.counts });
			}, 120_000);
		});
	});
}

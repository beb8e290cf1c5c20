import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GridcareDb } from '$lib/db/db';
import { addHousehold } from '$lib/db/repositories';
import { SyncEngine } from '$lib/sync/engine';
import { outboxCounts } from '$lib/sync/outbox';
import { ManualTimers, offlineTransport, openTestDb } from '$lib/sync/test-support';
import { TEST_GRID as GRID, TestServer, type Connection } from '$lib/sync/test-server';
import type { SyncTransport } from '$lib/sync/transport';
import { endServerSession, signOutWhenDelivered, type SignOutSteps } from './sign-out';

let db: GridcareDb | null = null;
let engine: SyncEngine | null = null;
let server: TestServer | null = null;
afterEach(async () => {
	engine?.stop();
	db?.close();
	await server?.close();
	engine = null;
	db = null;
	server = null;
});

/** The link of a worker's device to a fresh server. */
async function online(): Promise<Connection> {
	server = await TestServer.open();
	return server.connect('worker', 'tablet-1');
}

/** A device with one sync engine over the transport given. */
function device(transport: SyncTransport) {
	const timers = new ManualTimers();
	db = openTestDb({ now: () => timers.now });
	engine = new SyncEngine({
		db,
		transport,
		deviceId: 'tablet-1',
		userId: 'worker-a1',
		timers,
		now: () => timers.now,
		random: () => 0.5,
		network: null
	});
	return { db, engine };
}

/** A fetch that records the logout requests and answers as the server would. */
function logoutServer(answer: () => Promise<Response>) {
	return vi.fn(async (..._args: Parameters<typeof fetch>) => answer());
}

/** The app's sign-out steps for a device, with a record of what happened in which order. */
function steps(
	dbOf: GridcareDb,
	engineOf: SyncEngine,
	link: Connection | null,
	fetchImpl: typeof fetch
) {
	const events: string[] = [];
	const signedOut = { here: false };
	const s: SignOutSteps = {
		deliver: async () => {
			await engineOf.syncNow();
			events.push(`delivered:${link?.pushes.flat().length ?? 0}`);
		},
		undelivered: async () => {
			const { pending, rejected } = await outboxCounts(dbOf);
			return pending + rejected;
		},
		endOnServer: async () => {
			events.push('logout');
			await endServerSession('session-token-1234567890', fetchImpl);
		},
		forgetHere: async () => {
			events.push('forget');
			signedOut.here = true;
		}
	};
	return { steps: s, events, signedOut };
}

describe('signing out', () => {
	it('ends the session on the server once the outbox is delivered, then here', async () => {
		const link = await online();
		const { db, engine } = device(link.transport);
		await addHousehold(db, { gridId: GRID, address: '幸福路 1 号' });
		const fetch = logoutServer(async () => new Response(null, { status: 204 }));
		const run = steps(db, engine, link, fetch as unknown as typeof globalThis.fetch);
		expect(await signOutWhenDelivered(run.steps)).toBe(0);
		// The household reached the server before the logout call went out.
		expect(run.events).toEqual(['delivered:1', 'logout', 'forget']);
		expect(run.signedOut.here).toBe(true);
		expect(fetch).toHaveBeenCalledTimes(1);
		const [url, init] = fetch.mock.calls[0];
		expect(url).toBe('/api/v1/auth/logout');
		expect(init?.method).toBe('POST');
		expect(new Headers(init?.headers).get('authorization')).toBe('Bearer session-token-1234567890');
	});

	it('still signs out here when the logout call fails (no network)', async () => {
		const link = await online();
		const { db, engine } = device(link.transport);
		await addHousehold(db, { gridId: GRID, address: '幸福路 2 号' });
		const fetch = logoutServer(async () => {
			throw new TypeError('Failed to fetch');
		});
		const run = steps(db, engine, link, fetch as unknown as typeof globalThis.fetch);
		expect(await signOutWhenDelivered(run.steps)).toBe(0);
		expect(fetch).toHaveBeenCalledTimes(1);
		expect(run.events).toEqual(['delivered:1', 'logout', 'forget']);
		expect(run.signedOut.here).toBe(true);
	});

	it('still signs out here when the server step itself throws', async () => {
		const link = await online();
		const { db, engine } = device(link.transport);
		const run = steps(db, engine, link, fetch);
		run.steps.endOnServer = async () => {
			run.events.push('logout');
			throw new Error('server away');
		};
		expect(await signOutWhenDelivered(run.steps)).toBe(0);
		expect(run.events).toEqual(['delivered:0', 'logout', 'forget']);
	});

	it('neither ends the session nor signs out while changes are undelivered', async () => {
		const { db, engine } = device(offlineTransport);
		await addHousehold(db, { gridId: GRID, address: '幸福路 3 号' });
		const fetch = logoutServer(async () => new Response(null, { status: 204 }));
		const run = steps(db, engine, null, fetch as unknown as typeof globalThis.fetch);
		expect(await signOutWhenDelivered(run.steps)).toBe(1);
		expect(fetch).not.toHaveBeenCalled();
		expect(run.signedOut.here).toBe(false);
		// A person accepts losing them: the session ends on the server and here.
		expect(await signOutWhenDelivered(run.steps, true)).toBe(0);
		expect(fetch).toHaveBeenCalledTimes(1);
		expect(run.signedOut.here).toBe(true);
	});
});

describe('endServerSession', () => {
	it('answers whether the server confirmed, and never throws', async () => {
		const answering = (status: number) =>
			logoutServer(async () => new Response(null, { status })) as unknown as typeof fetch;
		expect(await endServerSession('t'.repeat(43), answering(204))).toBe(true);
		expect(await endServerSession('t'.repeat(43), answering(401))).toBe(false);
		const offline = logoutServer(async () => {
			throw new TypeError('Failed to fetch');
		});
		expect(await endServerSession('t'.repeat(43), offline as unknown as typeof fetch)).toBe(false);
		// No session, no call.
		const unused = logoutServer(async () => new Response(null, { status: 204 }));
		expect(await endServerSession(null, unused as unknown as typeof fetch)).toBe(false);
		expect(unused).not.toHaveBeenCalled();
	});
});

// A device of a user over real HTTP, talking to whichever server process it is told (several
// `gridcare serve` processes on one database: tests/integration/several-servers.test.ts and the
// servers bench).
import type { ServerProcess } from '../chaos/server-process';
import type { Change } from './api-client';

export type { Change };

export const DEMO_PASSWORD = 'demo1234';

/** One device of a user, talking to whichever server it is told. */
export class Device {
	token = '';
	readonly id = crypto.randomUUID();

	async login(server: ServerProcess, username: string, password = DEMO_PASSWORD): Promise<this> {
		const res = await fetch(`${server.url}/api/v1/auth/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ username, password, deviceId: this.id })
		});
		if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
		this.token = ((await res.json()) as { token: string }).token;
		return this;
	}

	request(server: ServerProcess, path: string, init: RequestInit = {}): Promise<Response> {
		return fetch(`${server.url}/api/v1${path}`, {
			...init,
			headers: {
				authorization: `Bearer ${this.token}`,
				'content-type': 'application/json',
				...init.headers
			}
		});
	}

	async push(server: ServerProcess, mutations: unknown[]) {
		const res = await this.request(server, '/sync/push', {
			method: 'POST',
			body: JSON.stringify({ deviceId: this.id, mutations })
		});
		if (res.status !== 200) throw new Error(`push: ${res.status} ${await res.text()}`);
		return ((await res.json()) as { results: { id: string; status: string }[] }).results;
	}

	/** Every change from the start, page `i` through `servers[i % servers.length]`. */
	async pullAll(servers: ServerProcess[], limit: number): Promise<Change[]> {
		const changes: Change[] = [];
		let cursor: string | undefined;
		for (let page = 0; ; page++) {
			const query = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
			const res = await this.request(servers[page % servers.length], `/sync/pull?${query}`);
			if (res.status !== 200) throw new Error(`pull: ${res.status} ${await res.text()}`);
			const body = (await res.json()) as { changes: Change[]; cursor: string; hasMore: boolean };
			changes.push(...body.changes);
			cursor = body.cursor;
			if (!body.hasMore) return changes;
		}
	}
}

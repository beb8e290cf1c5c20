// A thin HTTP client over an app instance for integration suites.
import { createApp } from '../../server/app';
import { LoginThrottle } from '../../server/auth/throttle';
import { loadConfig } from '../../server/config';
import type { Services } from '../../server/context';
import type { Store } from '../../server/store/types';
import { PASSWORD } from './fixtures';

export function testApp(
	store: Store,
	now: () => Date = () => new Date(),
	more: Partial<Services> = {}
) {
	return createApp({
		store,
		config: { ...loadConfig({}), appDir: 'build' },
		throttle: new LoginThrottle(),
		version: 'test',
		now,
		log: () => {},
		...more
	});
}

export type TestApp = ReturnType<typeof testApp>;

export interface Change {
	table: string;
	op: string;
	rowId: string;
	fields: Record<string, unknown>;
	version: number;
}

export class ApiClient {
	private token = '';
	constructor(
		private readonly app: TestApp,
		readonly deviceId: string = crypto.randomUUID()
	) {}

	async login(username: string, password = PASSWORD): Promise<this> {
		const res = await this.app.request('/api/v1/auth/login', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ username, password, deviceId: this.deviceId })
		});
		if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
		this.token = ((await res.json()) as { token: string }).token;
		return this;
	}

	/** Use a token obtained elsewhere (e.g. a kiosk's enrolment). */
	withToken(token: string): this {
		this.token = token;
		return this;
	}

	request(path: string, init: RequestInit = {}): Promise<Response> {
		return Promise.resolve(
			this.app.request(`/api/v1${path}`, {
				...init,
				headers: {
					authorization: `Bearer ${this.token}`,
					'content-type': 'application/json',
					...init.headers
				}
			})
		);
	}

	async push(mutations: unknown[]) {
		const res = await this.request('/sync/push', {
			method: 'POST',
			body: JSON.stringify({ deviceId: this.deviceId, mutations })
		});
		if (res.status !== 200) throw new Error(`push: ${res.status} ${await res.text()}`);
		return (
			(await res.json()) as {
				results: { id: string; status: string; reason?: string; version?: number }[];
			}
		).results;
	}

	async pullAll(cursor?: string, limit = 500): Promise<{ changes: Change[]; cursor: string }> {
		const changes: Change[] = [];
		for (;;) {
			const query = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
			const res = await this.request(`/sync/pull?${query}`);
			if (res.status !== 200) throw new Error(`pull: ${res.status} ${await res.text()}`);
			const page = (await res.json()) as { changes: Change[]; cursor: string; hasMore: boolean };
			changes.push(...page.changes);
			cursor = page.cursor;
			if (!page.hasMore) return { changes, cursor };
		}
	}
}

/** Fold pulled changes into rows, as a device does: later changes overwrite fields. */
export function foldChanges(
	changes: Change[]
): Map<string, Record<string, unknown> & { _table: string; _deleted?: boolean }> {
	const rows = new Map<string, Record<string, unknown> & { _table: string; _deleted?: boolean }>();
	for (const c of changes) {
		const row = rows.get(c.rowId) ?? { _table: c.table };
		Object.assign(row, c.fields, { _version: c.version });
		if (c.op === 'delete') row._deleted = true;
		rows.set(c.rowId, row);
	}
	return rows;
}

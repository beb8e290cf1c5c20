// Who is signed in on this device. The session and the last-fetched scope nodes live in
// IndexedDB (idb-keyval) so that a reload with no network still opens the user's home screen.
import { del, get, set } from 'idb-keyval';
import { setDeploymentTimeZone } from '$lib/i18n/format';
import { api } from './api';
import type { DivisionNode, SessionUser } from './types';

const SESSION_KEY = 'gridcare:session';
const NODES_KEY = 'gridcare:scope-nodes';
const DEVICE_KEY = 'gridcare:device-id';

export interface StoredSession {
	token: string;
	/** ISO 8601. */
	expiresAt: string;
	user: SessionUser;
	/** The deployment's time zone as the server said at sign-in; dates and times show in it. */
	timeZone?: string;
	/** True on a national server (GRIDCARE_MODE=rollup-only), which answers figures only. */
	rollupOnly?: boolean;
}

export interface CachedNode {
	node: DivisionNode;
	/** ISO 8601: when the server last sent this node. */
	savedAt: string;
}

/** What an online sign-in brings besides the session. */
export interface SignedIn {
	user: SessionUser;
	/** Base64 key this device wraps its data key under (crypto.ts); never stored on the device. */
	deviceKey: string;
}

class SessionManager {
	current = $state.raw<StoredSession | null>(null);
	/** Division and grid nodes of the user's scope, by code, as last fetched. */
	nodes = $state.raw<Record<string, CachedNode>>({});
	loaded = $state(false);
	/** A sign-in is under way: the server has not answered yet. */
	signingIn = false;

	user = $derived(this.current?.user ?? null);
	token = $derived(this.current?.token ?? null);
	/** On a national server, which keeps figures only (StoredSession.rollupOnly). */
	rollupOnly = $derived(this.current?.rollupOnly === true);

	#loading: Promise<void> | null = null;
	#onSignIn: ((signedIn: SignedIn) => Promise<void>) | null = null;
	readonly #onSigningIn: (() => void)[] = [];

	/** Run as a sign-in starts, before the server answers (work that can start early). */
	onSigningIn(listener: () => void): void {
		this.#onSigningIn.push(listener);
	}

	/** Run before a fresh online sign-in takes effect (the app lock opens the data key). */
	onSignIn(handler: (signedIn: SignedIn) => Promise<void>): void {
		this.#onSignIn = handler;
	}

	/** Read the stored session once; later calls wait for the same read. */
	load(): Promise<void> {
		this.#loading ??= (async () => {
			const [stored, nodes] = await Promise.all([
				get<StoredSession>(SESSION_KEY),
				get<Record<string, CachedNode>>(NODES_KEY)
			]);
			this.current = stored ?? null;
			setDeploymentTimeZone(stored?.timeZone);
			this.nodes = stored ? (nodes ?? {}) : {};
			this.loaded = true;
		})();
		return this.#loading;
	}

	/** Sign in online; the session is kept on this device until sign-out or a 401. */
	async signIn(username: string, password: string): Promise<SessionUser> {
		this.signingIn = true;
		try {
			for (const listener of this.#onSigningIn) listener();
			return await this.#signIn(username, password);
		} finally {
			this.signingIn = false;
		}
	}

	async #signIn(username: string, password: string): Promise<SessionUser> {
		const deviceId = await getDeviceId();
		const answer = await api.login({ username, password, deviceId });
		const session: StoredSession = {
			token: answer.token,
			expiresAt: new Date(answer.expiresAt).toISOString(),
			user: answer.user,
			...(answer.timeZone ? { timeZone: answer.timeZone } : {}),
			...(answer.mode === 'rollup-only' ? { rollupOnly: true } : {})
		};
		// Another user's cached nodes must not show up for this one.
		if (this.current?.user.id !== session.user.id) await this.#forgetNodes();
		await this.#onSignIn?.({ user: answer.user, deviceKey: answer.deviceKey });
		await set(SESSION_KEY, session);
		this.current = session;
		setDeploymentTimeZone(session.timeZone);
		return session.user;
	}

	/** Take a session the server issued another way (a kiosk's enrolment) in place of this one. */
	async adopt(next: StoredSession): Promise<void> {
		await this.#forgetNodes();
		await set(SESSION_KEY, next);
		this.current = next;
	}

	/** Forget the session and the cached nodes (the device id stays). */
	async signOut(): Promise<void> {
		await Promise.all([del(SESSION_KEY), this.#forgetNodes()]);
		this.current = null;
	}

	cachedNode(code: string): CachedNode | undefined {
		return this.nodes[code];
	}

	async rememberNode(node: DivisionNode): Promise<CachedNode> {
		const entry: CachedNode = { node, savedAt: new Date().toISOString() };
		this.nodes = { ...this.nodes, [node.code]: entry };
		await set(NODES_KEY, this.nodes);
		return entry;
	}

	async #forgetNodes(): Promise<void> {
		this.nodes = {};
		await del(NODES_KEY);
	}
}

export const session = new SessionManager();

/** A random id made once per device (browser profile) and sent with every sign-in. */
export async function getDeviceId(): Promise<string> {
	const existing = await get<string>(DEVICE_KEY);
	if (existing) return existing;
	const id = crypto.randomUUID();
	await set(DEVICE_KEY, id);
	return id;
}

// What the sync engine needs from the network, as an interface: the HTTP implementation lives in
// http-transport.ts; tests reach the real server through it, in process (test-server.ts). The
// push answer is the shared `pushResultSchema` the route declares too; the pull page is read as
// server/routes/sync.ts sends it (README "API").
import { z } from 'zod';
import type { Mutation, PushResult } from '$lib/shared/schemas';

export type { PushResult };

/**
 * A change as the server logged it. `table` and `op` stay plain strings here: a newer server may
 * send a table this app version does not know yet, and such changes are parked, not refused.
 */
export const pulledChangeSchema = z.object({
	table: z.string(),
	op: z.string(),
	rowId: z.string(),
	// Any JSON object: checked in place rather than copied key by key (a first download brings
	// tens of thousands of changes).
	fields: z.custom<Record<string, unknown>>(
		(value) => typeof value === 'object' && value !== null && !Array.isArray(value),
		'fields: expected an object'
	),
	version: z.number().int()
});
export type PulledChange = z.infer<typeof pulledChangeSchema>;

export const pullPageSchema = z.object({
	changes: z.array(pulledChangeSchema),
	cursor: z.string(),
	hasMore: z.boolean(),
	/** First page of a first download only: rows of each table the whole download brings. */
	estimate: z.record(z.string(), z.number().int().min(0)).optional()
});
export type PullPage = z.infer<typeof pullPageSchema>;

export interface SyncTransport {
	/** One result per mutation, in order. */
	push(deviceId: string, mutations: Mutation[]): Promise<PushResult[]>;
	/** Changes after `cursor` (null: from the beginning of the caller's scope). */
	pull(cursor: string | null, limit: number): Promise<PullPage>;
}

/** No answer from the server (no network, timeout, or a gateway that could not reach it). */
export class OfflineError extends Error {
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'OfflineError';
	}
}

/** The session token is missing, expired or revoked: a person must sign in again. */
export class UnauthorizedError extends Error {
	constructor(message = 'sign in again') {
		super(message);
		this.name = 'UnauthorizedError';
	}
}

/**
 * An administrator revoked this device (401 `{ "error": "revoked" }`): the device must wipe the
 * user's cached scope; what is still in the outbox cannot be delivered from it any more.
 */
export class RevokedError extends UnauthorizedError {
	constructor() {
		super('this device was revoked');
		this.name = 'RevokedError';
	}
}

/**
 * The user's grids or communities changed since the pull cursor was issued (409
 * `{ "error": "scope_changed" }`): the device downloads its scope again (pull.ts `pullAll`).
 */
export class ScopeChangedError extends Error {
	constructor() {
		super('scope changed: download again');
		this.name = 'ScopeChangedError';
	}
}

/** The server answered with an error (or with something that is not the contract's shape). */
export class ServerError extends Error {
	constructor(
		readonly status: number,
		message: string
	) {
		super(message);
		this.name = 'ServerError';
	}
}

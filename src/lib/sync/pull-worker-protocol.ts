// The messages between the page and the pull worker (pull.worker.ts), and how an error crosses
// between them: the engine reacts to the kind of error (no network, signed out, revoked, server
// refusal), so each comes back as the same class with its message.
import { isQuotaError, StorageFullError } from '$lib/db/quota';
import { LockedError } from '$lib/db/sealed';
import type { PullRequest } from './engine';
import type { PageSummary } from './progress-transport';
import { OfflineError, RevokedError, ServerError, UnauthorizedError } from './transport';

/** Pull every page after the saved cursor into this database, sealing with this key. */
export interface PullCommand {
	type: 'pull';
	id: number;
	database: { name: string; encrypted: boolean };
	/** The data key; null when the database keeps nothing sealed. */
	key: CryptoKey | null;
	/** The session's bearer token. */
	token: string | null;
	/** Defaults to '/api/v1' (same origin). */
	baseUrl?: string;
	request: PullRequest;
}

/** Open this database now, so that the first pull finds it open. */
export interface OpenCommand {
	type: 'open';
	database: PullCommand['database'];
}

/** The app locked: the worker drops the data key at once, and a pull under way fails. */
export interface LockCommand {
	type: 'lock';
}

export type ToPullWorker = PullCommand | OpenCommand | LockCommand;

export type FromPullWorker =
	| { type: 'page'; id: number; page: PageSummary }
	| { type: 'done'; id: number }
	| { type: 'failed'; id: number; error: WireError };

/** An error as it is posted: its class by name, its message, and an HTTP status if any. */
export interface WireError {
	name: string;
	message: string;
	status?: number;
}

export function toWire(error: unknown): WireError {
	// A full disk, however Dexie wrapped it (quota.ts), crosses as one kind.
	if (isQuotaError(error))
		return { name: 'StorageFullError', message: new StorageFullError().message };
	if (error instanceof ServerError)
		return { name: 'ServerError', message: error.message, status: error.status };
	if (error instanceof Error || error instanceof DOMException)
		return { name: error.name, message: error.message };
	return { name: 'Error', message: String(error) };
}

/** The error the worker met, as the engine knows it; others keep their name and message. */
export function fromWire(wire: WireError): Error {
	switch (wire.name) {
		case 'OfflineError':
			return new OfflineError(wire.message);
		case 'RevokedError':
			return new RevokedError();
		case 'UnauthorizedError':
			return new UnauthorizedError(wire.message);
		case 'ServerError':
			return new ServerError(wire.status ?? 500, wire.message);
		case 'LockedError':
			return new LockedError();
		case 'StorageFullError':
			return new StorageFullError();
	}
	const error = new Error(wire.message);
	error.name = wire.name;
	return error;
}

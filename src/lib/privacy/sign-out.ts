// Signing out: the outbox goes out first, then the session ends on the server (POST /auth/logout)
// and on this device. Ending it on the server is best effort: with no network the local sign-out
// still completes, and the server's session runs out on its own.
import { API_BASE } from '$lib/app/api';

/** How long a sign-out waits for the server before going on without it. */
const LOGOUT_TIMEOUT_MS = 5_000;

/**
 * End a session on the server. Never throws; answers whether the server confirmed. A 401 (the
 * session had already ended or was revoked) is not reported to the app as a lost session.
 */
export async function endServerSession(
	token: string | null | undefined,
	fetchImpl: typeof fetch = fetch
): Promise<boolean> {
	if (!token) return false;
	try {
		const response = await fetchImpl(`${API_BASE}/auth/logout`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${token}` },
			signal: AbortSignal.timeout(LOGOUT_TIMEOUT_MS),
			cache: 'no-store'
		});
		return response.status === 204;
	} catch {
		return false;
	}
}

export interface SignOutSteps {
	/** Push what the outbox holds, if a sync engine runs. */
	deliver(): Promise<unknown>;
	/** Changes still on this device that the server does not have. */
	undelivered(): Promise<number>;
	/** End the session on the server (best effort). */
	endOnServer(): Promise<unknown>;
	/** Wipe the user's data and forget the session on this device. */
	forgetHere(): Promise<void>;
}

/**
 * Sign out once the outbox is delivered. Returns the number of changes that could not be
 * delivered (nothing is signed out then) unless `discard` says a person accepted losing them.
 */
export async function signOutWhenDelivered(steps: SignOutSteps, discard = false): Promise<number> {
	await steps.deliver();
	const left = await steps.undelivered();
	if (left > 0 && !discard) return left;
	try {
		await steps.endOnServer();
	} catch {
		// No network, or the server is away: the device signs out all the same.
	}
	await steps.forgetHere();
	return 0;
}

// What the leave guard (leave-guard.ts) decides, apart from SvelteKit: which forms it watches and
// which moves ask first.
import type { NavigationType } from '@sveltejs/kit';

/** The attribute that makes a form ask before its unsaved input is left. */
export const LEAVE_GUARD_ATTRIBUTE = 'data-ask-before-leaving';

/** Spread on a `<form>`: `<form {...askBeforeLeaving}>`. */
export const askBeforeLeaving = { [LEAVE_GUARD_ATTRIBUTE]: '' } as const;

/** The guarded forms among those with unsaved input. */
export function guardedForms(forms: readonly HTMLFormElement[]): HTMLFormElement[] {
	return forms.filter((form) => form.hasAttribute(LEAVE_GUARD_ATTRIBUTE));
}

export interface Move {
	type: NavigationType;
	/** The page unloads (another site, a reload): beforeunload's to ask. */
	willUnload: boolean;
	from: URL | null;
	to: URL | null;
}

/**
 * Whether a move inside the app must ask first. The app's own moves (`goto`: after a save, on
 * sign-out or an expired session) never ask, nor a move within the same page (a #fragment).
 */
export function asksBeforeNavigating(move: Move, unsavedForms: number): boolean {
	if (unsavedForms === 0 || move.willUnload) return false;
	if (move.from && move.to && samePage(move.from, move.to)) return false;
	return move.type === 'link' || move.type === 'popstate' || move.type === 'form';
}

function samePage(a: URL, b: URL): boolean {
	return a.origin === b.origin && a.pathname === b.pathname && a.search === b.search;
}

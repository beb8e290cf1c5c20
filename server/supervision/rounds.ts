// Check rounds (排查轮次): a division's visiting campaign between two dates. Creating one adds its
// figures from the visits already recorded and logs a `rounds` change for every grid of its
// subtree, so worker devices receive it through pull (server/write/batch.ts, publishRound).
import { forbidden, invalidInput, notFound } from '../api-error';
import { lookupNode } from '../auth/nodes';
import type { Store, UserRow } from '../store/types';
import { write } from '../write';
import type { RoundRow } from '../store/rows';
import type { DayClock } from '../rollup/snapshots';
import { divisionAndAncestors } from '../rollup/nodes';
import { mayStartRound } from './access';

/** Create a round; returns the communities (with grids) of its subtree. */
export async function createRound(
	store: Store,
	user: UserRow,
	round: RoundRow,
	clock: DayClock
): Promise<string[]> {
	const { result } = await write(store, user, clock, (batch) => batch.publishRound(round));
	return result;
}

/**
 * A user starts a round for a division they may start rounds for (mayStartRound); returns the
 * round and the communities (with grids) of its subtree.
 */
export async function startRound(
	store: Store,
	user: UserRow,
	input: { divisionCode: string; name: string; startDate: string; dueDate: string },
	clock: DayClock
): Promise<{ round: RoundRow; communities: string[] }> {
	if (input.dueDate < input.startDate) throw invalidInput('dueDate', 'before startDate');
	if (!(await store.getDivision(input.divisionCode)))
		throw notFound('divisionCode', `no division "${input.divisionCode}"`);
	if (!mayStartRound(user, input.divisionCode))
		throw forbidden('divisionCode', 'outside the divisions you may start rounds for');
	const round = {
		id: crypto.randomUUID(),
		...input,
		templateId: null,
		templateVersion: null,
		createdBy: user.id,
		createdAt: clock.now
	};
	return { round, communities: await createRound(store, user, round, clock) };
}

/** Rounds covering a node the user may see: its own and its ancestors', newest first. */
export async function roundsOfNode(store: Store, user: UserRow, code: string): Promise<RoundRow[]> {
	const node = await lookupNode(store, user, code);
	return store
		.supervision()
		.roundsOf(divisionAndAncestors(node.level === 'grid' ? node.communityCode! : code));
}

/**
 * The round running on `today` for a community (or any division): of the rounds of the
 * division and its ancestors, the one started last whose dates cover the day.
 */
export async function currentRound(
	store: Store,
	divisionCode: string,
	today: string
): Promise<RoundRow | null> {
	// roundsOf answers newest first.
	const rounds = await store.supervision().roundsOf(divisionAndAncestors(divisionCode));
	return rounds.find((r) => r.startDate <= today && today <= r.dueDate) ?? null;
}

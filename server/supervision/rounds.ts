// Check rounds (排查轮次): a division's visiting campaign between two dates. Creating one adds its
// figures from the visits already recorded and logs a `rounds` change for every grid of its
// subtree, so worker devices receive it through pull (server/write/batch.ts, publishRound).
import { ApiError, forbidden, invalidInput, notFound } from '../api-error';
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
	input: {
		divisionCode: string;
		name: string;
		startDate: string;
		dueDate: string;
		templateId?: string;
	},
	clock: DayClock
): Promise<{ round: RoundRow; templateName: string | null; communities: string[] }> {
	const { templateId, ...fields } = input;
	if (fields.dueDate < fields.startDate) throw invalidInput('dueDate', 'before startDate');
	if (!(await store.getDivision(fields.divisionCode)))
		throw notFound('divisionCode', `no division "${fields.divisionCode}"`);
	if (!mayStartRound(user, fields.divisionCode))
		throw forbidden('divisionCode', 'outside the divisions you may start rounds for');
	// The round pins the template's current version (docs/check-templates.md).
	const template = templateId ? await store.templates().get(templateId) : null;
	if (templateId && !template)
		throw new ApiError(
			404,
			'not_found',
			`templateId: no check template ${templateId}`,
			'templateId'
		);
	if (
		template &&
		template.divisionCode !== null &&
		!fields.divisionCode.startsWith(template.divisionCode)
	)
		throw invalidInput(
			'templateId',
			`the template belongs to ${template.divisionCode} and is not usable in ${fields.divisionCode}`
		);
	const round = {
		id: crypto.randomUUID(),
		...fields,
		templateId: template?.id ?? null,
		templateVersion: template?.version ?? null,
		createdBy: user.id,
		createdAt: clock.now
	};
	return {
		round,
		templateName: template?.name ?? null,
		communities: await createRound(store, user, round, clock)
	};
}

/** Rounds with the name of the template version each pins (null without a template). */
export async function withTemplateNames(
	store: Store,
	rounds: RoundRow[]
): Promise<(RoundRow & { templateName: string | null })[]> {
	const pinned = rounds.flatMap((r) =>
		r.templateId && r.templateVersion ? [{ id: r.templateId, version: r.templateVersion }] : []
	);
	const names = pinned.length ? await store.templates().versionNames(pinned) : new Map();
	return rounds.map((r) => ({
		...r,
		templateName: (r.templateId && names.get(`${r.templateId}@${r.templateVersion}`)) || null
	}));
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

// Per-community supervision settings, stored under `community:<code>` in the settings table.
import { z } from '@hono/zod-openapi';
import {
	CARE_TAGS,
	DEFAULT_VISIT_FREQUENCY,
	visitFrequencySchema
} from '../../src/lib/domain/care';
import { forbidden } from '../api-error';
import { lookupCommunity, lookupNode, runsCommunity } from '../auth/nodes';
import { communitiesOfUser } from '../privacy/access';
import type { Store, UserRow } from '../store/types';
import { communitySettingsKey } from '../store/care-queries';
import { SYSTEM, write } from '../write';

const threshold = z.number().int().min(1).max(100_000);

// The shared rule of the app's form and the tablet (1–365 days per tier).
const visitFrequency = visitFrequencySchema.describe(
	'Days between visits per care tag (the shortest among a household and its residents applies; default: no tag)'
);

const settingsFields = {
	checkinCutoff: z
		.string()
		.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)')
		.openapi({
			example: '10:00',
			description: 'Time of day after which a missing check-in counts as missed'
		})
};

const thresholdFields = {
	abnormalResidents: threshold,
	missedCheckins: threshold,
	coverageBehindPct: z.number().min(0).max(100)
};

/** The settings as stored and answered: every field, defaults filled in. */
export const communitySettingsSchema = z
	.object({
		...settingsFields,
		thresholds: z.object({ ...thresholdFields, visitsOverdue: threshold }).strict(),
		visitFrequency
	})
	.strict()
	.openapi('CommunitySettings');

/**
 * What a PUT takes: the care-tier fields (visitFrequency, thresholds.visitsOverdue) may be left
 * out, and then keep their stored values, so a client that predates them changes nothing.
 */
export const communitySettingsInputSchema = z
	.object({
		...settingsFields,
		thresholds: z.object({ ...thresholdFields, visitsOverdue: threshold.optional() }).strict(),
		visitFrequency: visitFrequency.optional()
	})
	.strict()
	.openapi('CommunitySettingsInput');

export type CommunitySettings = z.infer<typeof communitySettingsSchema>;
export type CommunitySettingsInput = z.infer<typeof communitySettingsInputSchema>;

export const DEFAULT_SETTINGS: CommunitySettings = {
	checkinCutoff: '10:00',
	thresholds: {
		abnormalResidents: 5,
		missedCheckins: 10,
		coverageBehindPct: 20,
		visitsOverdue: 10
	},
	visitFrequency: DEFAULT_VISIT_FREQUENCY
};

/** Stored settings with what they lack (settings stored before a field existed) from defaults. */
export function withDefaults(stored: Partial<CommunitySettingsInput> | null): CommunitySettings {
	return {
		checkinCutoff: stored?.checkinCutoff ?? DEFAULT_SETTINGS.checkinCutoff,
		thresholds: { ...DEFAULT_SETTINGS.thresholds, ...stripUndefined(stored?.thresholds ?? {}) },
		visitFrequency: { ...DEFAULT_SETTINGS.visitFrequency, ...(stored?.visitFrequency ?? {}) }
	};
}

function stripUndefined<T extends object>(o: T): Partial<T> {
	return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const settingsKey = communitySettingsKey;

export async function communitySettings(store: Store, code: string): Promise<CommunitySettings> {
	return withDefaults(
		await store.supervision().getSetting<Partial<CommunitySettingsInput>>(settingsKey(code))
	);
}

/**
 * A community's settings for a caller who may see them: anyone who sees the community, and its
 * grid workers (the check-in cut-off of their follow-ups).
 */
export async function readCommunitySettings(
	store: Store,
	user: UserRow,
	code: string
): Promise<CommunitySettings> {
	if (!(user.role === 'grid_worker' && (await communitiesOfUser(store, user)).has(code)))
		await lookupNode(store, user, code);
	return communitySettings(store, code);
}

/**
 * Change a community's settings: who runs the community (audited). What the input leaves out
 * keeps its stored value. New visit frequencies move the due day of every household of the
 * community at once (docs/care-tiers.md). Returns the settings as stored.
 */
export async function changeCommunitySettings(
	store: Store,
	user: UserRow,
	code: string,
	input: CommunitySettingsInput,
	clock: { now: Date; timeZone: string }
): Promise<CommunitySettings> {
	await lookupCommunity(store, user, code);
	if (!runsCommunity(user, code))
		throw forbidden('code', 'only the community head changes its settings');
	const before = await communitySettings(store, code);
	const settings: CommunitySettings = {
		checkinCutoff: input.checkinCutoff,
		thresholds: {
			...input.thresholds,
			visitsOverdue: input.thresholds.visitsOverdue ?? before.thresholds.visitsOverdue
		},
		visitFrequency: input.visitFrequency ?? before.visitFrequency
	};
	await store.supervision().putSetting(settingsKey(code), settings);
	await store.appendAudit({
		userId: user.id,
		role: user.role,
		action: 'settings',
		subjectType: 'community',
		subjectId: code,
		communityCode: code,
		details: settings
	});
	if (CARE_TAGS.some((tag) => settings.visitFrequency[tag] !== before.visitFrequency[tag]))
		await write(store, SYSTEM, clock, async (batch) => batch.refreshCare({ communityCode: code }));
	return settings;
}

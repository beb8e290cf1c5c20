// Per-community supervision settings, stored under `community:<code>` in the settings table.
import { z } from '@hono/zod-openapi';
import { forbidden } from '../api-error';
import { lookupCommunity, lookupNode, runsCommunity } from '../auth/nodes';
import { communitiesOfUser } from '../privacy/access';
import type { Store, UserRow } from '../store/types';

export const communitySettingsSchema = z
	.object({
		checkinCutoff: z
			.string()
			.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)')
			.openapi({
				example: '10:00',
				description: 'Time of day after which a missing check-in counts as missed'
			}),
		thresholds: z
			.object({
				abnormalResidents: z.number().int().min(1).max(100_000),
				missedCheckins: z.number().int().min(1).max(100_000),
				coverageBehindPct: z.number().min(0).max(100)
			})
			.strict()
	})
	.strict()
	.openapi('CommunitySettings');

export type CommunitySettings = z.infer<typeof communitySettingsSchema>;

export const DEFAULT_SETTINGS: CommunitySettings = {
	checkinCutoff: '10:00',
	thresholds: { abnormalResidents: 5, missedCheckins: 10, coverageBehindPct: 20 }
};

export const settingsKey = (code: string) => `community:${code}`;

export async function communitySettings(store: Store, code: string): Promise<CommunitySettings> {
	const stored = await store.supervision().getSetting<CommunitySettings>(settingsKey(code));
	return stored ?? DEFAULT_SETTINGS;
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

/** Change a community's settings: who runs the community (audited). */
export async function changeCommunitySettings(
	store: Store,
	user: UserRow,
	code: string,
	settings: CommunitySettings
): Promise<void> {
	await lookupCommunity(store, user, code);
	if (!runsCommunity(user, code))
		throw forbidden('code', 'only the community head changes its settings');
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
}

// Per-community supervision settings, stored under `community:<code>` in the settings table.
import { z } from '@hono/zod-openapi';
import type { Store } from '../store/types';

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

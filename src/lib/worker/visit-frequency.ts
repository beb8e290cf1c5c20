// A community's visit frequencies on the tablet (docs/care-tiers.md): fetched from the
// community's settings while online and kept on the device, so today's due visits are worked
// out offline with the community's own intervals; the defaults until they have been fetched.
import { z } from 'zod';
import { apiRequest } from '$lib/app/api';
import {
	DEFAULT_VISIT_FREQUENCY,
	visitFrequencySchema,
	type VisitFrequency
} from '$lib/domain/care';

const settingsSchema = z.object({ visitFrequency: visitFrequencySchema });
const frequencyKey = (communityCode: string) => `gridcare:visit-frequency:${communityCode}`;

/** The frequencies as last fetched for a community (or the defaults), without the network. */
export function storedVisitFrequency(communityCode: string | null): VisitFrequency {
	if (!communityCode) return DEFAULT_VISIT_FREQUENCY;
	try {
		const parsed = visitFrequencySchema.safeParse(
			JSON.parse(localStorage.getItem(frequencyKey(communityCode)) ?? 'null')
		);
		return parsed.success ? parsed.data : DEFAULT_VISIT_FREQUENCY;
	} catch {
		return DEFAULT_VISIT_FREQUENCY;
	}
}

/** Fetch the community's frequencies and keep them; the last known ones when that fails. */
export async function fetchVisitFrequency(
	communityCode: string,
	token: string | null
): Promise<VisitFrequency> {
	try {
		const settings = await apiRequest(
			`/communities/${encodeURIComponent(communityCode)}/settings`,
			settingsSchema,
			{ token }
		);
		localStorage.setItem(frequencyKey(communityCode), JSON.stringify(settings.visitFrequency));
		return settings.visitFrequency;
	} catch {
		return storedVisitFrequency(communityCode);
	}
}

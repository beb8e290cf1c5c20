// Calls of the supervision API (the community head's and the officers' screens), on top of the
// shared fetch wrapper: the same errors, the same bearer token.
import { z } from 'zod';
import { API_BASE, ApiError, apiRequest } from '$lib/app/api';
import {
	alertListSchema,
	communityGridsSchema,
	communitySettingsSchema,
	incidentDetailSchema,
	incidentListSchema,
	rollupSchema,
	roundListSchema,
	roundSchema,
	trendSchema,
	type CommunitySettings
} from './supervise-types';
import type { IncidentStatus } from '$lib/shared/enums';

const enc = encodeURIComponent;
const anything = z.unknown();

/** Request paths (relative to /api/v1). The snapshot cache keys its entries by these. */
export const supervisePaths = {
	rollup: (code: string) => `/rollup/${enc(code)}`,
	rollupForRound: (code: string, roundId: string) => `/rollup/${enc(code)}?round=${enc(roundId)}`,
	trend: (code: string, days = 14) => `/rollup/${enc(code)}/trend?days=${days}`,
	grids: (code: string) => `/communities/${enc(code)}/grids`,
	settings: (code: string) => `/communities/${enc(code)}/settings`,
	rounds: (code: string) => `/rounds?code=${enc(code)}`,
	incidents: (code: string, status: 'open' | 'all' = 'open') =>
		`/incidents?code=${enc(code)}&status=${status}`,
	incident: (id: string) => `/incidents/${enc(id)}`,
	alerts: (code: string) => `/alerts?code=${enc(code)}`,
	summary: (code: string, date: string) =>
		`/communities/${enc(code)}/summary.xlsx?date=${enc(date)}`,
	divisionSummary: (code: string, date: string) =>
		`/divisions/${enc(code)}/summary.xlsx?date=${enc(date)}`,
	/** A round's report, with its question columns (docs/check-templates.md, "Figures"). */
	roundSummary: (code: string, roundId: string) =>
		`/communities/${enc(code)}/summary.xlsx?round=${enc(roundId)}`,
	divisionRoundSummary: (code: string, roundId: string) =>
		`/divisions/${enc(code)}/summary.xlsx?round=${enc(roundId)}`
};

export const superviseApi = {
	rollup: (path: string, token: string) => apiRequest(path, rollupSchema, { token }),
	trend: (path: string, token: string) => apiRequest(path, trendSchema, { token }),
	grids: (path: string, token: string) => apiRequest(path, communityGridsSchema, { token }),
	settings: (path: string, token: string) => apiRequest(path, communitySettingsSchema, { token }),
	saveSettings: (code: string, settings: CommunitySettings, token: string) =>
		apiRequest(supervisePaths.settings(code), communitySettingsSchema, {
			method: 'PUT',
			body: settings,
			token
		}),
	rounds: (path: string, token: string) => apiRequest(path, roundListSchema, { token }),
	startRound: (
		input: {
			divisionCode: string;
			name: string;
			startDate: string;
			dueDate: string;
			templateId?: string;
		},
		token: string
	) => apiRequest('/rounds', roundSchema, { method: 'POST', body: input, token }),
	incidents: (path: string, token: string) => apiRequest(path, incidentListSchema, { token }),
	incident: (path: string, token: string) => apiRequest(path, incidentDetailSchema, { token }),
	transition: (
		id: string,
		input: { to: IncidentStatus; assigneeId?: string; note?: string },
		token: string
	) =>
		apiRequest(`/incidents/${enc(id)}/transition`, anything, {
			method: 'POST',
			body: input,
			token
		}),
	alerts: (path: string, token: string) => apiRequest(path, alertListSchema, { token }),
	acknowledgeAlert: (id: string, token: string) =>
		apiRequest(`/alerts/${enc(id)}/ack`, anything, { method: 'POST', body: {}, token })
};

/**
 * Download the daily report workbook of a community or, for an officer, of a street or county,
 * or with `round` the report of that check round (with its question columns), and hand it to the
 * browser as a file.
 */
export async function downloadSummary(
	code: string,
	date: string,
	token: string,
	of: 'community' | 'division' = 'community',
	round?: { id: string; name: string }
): Promise<void> {
	const community = of === 'community';
	const path = round
		? (community ? supervisePaths.roundSummary : supervisePaths.divisionRoundSummary)(
				code,
				round.id
			)
		: (community ? supervisePaths.summary : supervisePaths.divisionSummary)(code, date);
	let response: Response;
	try {
		response = await fetch(API_BASE + path, {
			headers: { Authorization: `Bearer ${token}` },
			cache: 'no-store'
		});
	} catch (cause) {
		throw new ApiError('offline', null, `network request failed: ${String(cause)}`);
	}
	if (!response.ok) {
		const kind =
			response.status === 403 ? 'forbidden' : response.status === 404 ? 'not_found' : 'server';
		throw new ApiError(kind, response.status, response.statusText);
	}
	const blob = await response.blob();
	const url = URL.createObjectURL(blob);
	const link = document.createElement('a');
	link.href = url;
	// A round's name may hold characters a file name cannot.
	link.download = `${code}-${round ? round.name.replace(/[\\/:*?"<>|]/g, '_') : date}.xlsx`;
	document.body.append(link);
	link.click();
	link.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

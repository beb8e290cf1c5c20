// Devices, kiosks and the division import for the administration screens
// (docs/administration.md, "Devices, kiosks and divisions").
import { z } from 'zod';
import { apiRequest } from '$lib/app/api';
import {
	deviceListSchema,
	divisionImportResultSchema,
	provinceListSchema,
	retiredKioskSchema,
	type DeviceList,
	type DivisionImportResult,
	type ProvinceList
} from '$lib/shared/devices';

export function deviceList(code: string | null, token: string | null): Promise<DeviceList> {
	const query = code ? `?code=${encodeURIComponent(code)}` : '';
	return apiRequest(`/devices${query}`, deviceListSchema, { token });
}

export function revokeDevice(deviceId: string, token: string | null): Promise<void> {
	return apiRequest(
		`/devices/${encodeURIComponent(deviceId)}/revoke`,
		z.object({ revokedSessions: z.number() }),
		{ method: 'POST', token }
	).then(() => undefined);
}

export function retireKiosk(deviceId: string, token: string | null): Promise<void> {
	return apiRequest(`/kiosks/${encodeURIComponent(deviceId)}/retire`, retiredKioskSchema, {
		method: 'POST',
		token
	}).then(() => undefined);
}

export function provinces(token: string | null): Promise<ProvinceList['provinces']> {
	return apiRequest('/provinces', provinceListSchema, { token }).then((a) => a.provinces);
}

export function importProvince(
	province: string,
	token: string | null
): Promise<DivisionImportResult> {
	return apiRequest('/divisions/import', divisionImportResultSchema, {
		method: 'POST',
		body: { province },
		token,
		// The largest provinces take well over the usual timeout on a small server.
		timeoutMs: 300_000
	});
}

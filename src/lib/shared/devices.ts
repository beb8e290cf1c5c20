// People's devices, the community's kiosks and the division import as the administration
// screens receive them (docs/administration.md, "Devices, kiosks and divisions").
import { z } from 'zod';
import { DIVISION_LEVELS } from './enums';
import { isoDateTimeSchema, roleSchema } from './schemas';

/** A person's tablet (or browser), or a community's check-in kiosk. */
export const DEVICE_KINDS = ['tablet', 'kiosk'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const listedDeviceSchema = z.object({
	deviceId: z.string(),
	kind: z.enum(DEVICE_KINDS),
	enrolledAt: isoDateTimeSchema,
	lastSyncAt: isoDateTimeSchema.nullable(),
	lastSeenAt: isoDateTimeSchema,
	revokedAt: isoDateTimeSchema.nullable()
});
export type ListedDevice = z.infer<typeof listedDeviceSchema>;

export const deviceListSchema = z.object({
	/** The division listed. */
	code: z.string(),
	people: z.array(
		z.object({
			userId: z.string(),
			/** A community's own person by name; an officer by role only (null). */
			name: z.string().nullable(),
			role: roleSchema,
			disabled: z.boolean(),
			devices: z.array(listedDeviceSchema)
		})
	),
	kiosks: z.array(
		listedDeviceSchema.extend({
			kioskUserId: z.string(),
			name: z.string().nullable(),
			communityCode: z.string().nullable(),
			lastCheckinAt: isoDateTimeSchema.nullable(),
			retired: z.boolean()
		})
	)
});
export type DeviceList = z.infer<typeof deviceListSchema>;

export const retiredKioskSchema = z.object({ revokedSessions: z.number().int() });

/** Per-level division counts of a province. */
export const divisionCountsSchema = z.object(
	Object.fromEntries(DIVISION_LEVELS.map((l) => [l, z.number().int()])) as Record<
		(typeof DIVISION_LEVELS)[number],
		z.ZodNumber
	>
);
export type DivisionCounts = z.infer<typeof divisionCountsSchema>;

export const provinceListSchema = z.object({
	provinces: z.array(
		z.object({
			code: z.string(),
			name: z.string(),
			/** How many of its divisions this deployment holds already (0: never imported). */
			imported: z.number().int()
		})
	)
});
export type ProvinceList = z.infer<typeof provinceListSchema>;

export const divisionImportRequestSchema = z
	.object({ province: z.string().regex(/^\d{2}$/, 'expected a 2-digit province code') })
	.strict();

export const divisionImportResultSchema = z.object({
	province: z.string(),
	counts: divisionCountsSchema,
	/** How long the import took on the server. */
	ms: z.number().int()
});
export type DivisionImportResult = z.infer<typeof divisionImportResultSchema>;

// What the form pages read from the device before showing a form.
import type { GridcareDb, HouseholdRow, ResidentRow } from '$lib/db/db';
import { householdById, householdsOfGrid } from '$lib/db/repositories';
import { addressPrefixes } from './address';

/** Estates already used in the grid, for the address prefix suggestions. */
export async function prefixesOfGrid(db: GridcareDb, gridId: string): Promise<string[]> {
	const households = await householdsOfGrid(db, gridId);
	return addressPrefixes(households.map((h) => h.address));
}

/** A household, or null when it is not on this device. */
export async function householdOrNull(db: GridcareDb, id: string): Promise<HouseholdRow | null> {
	return (await householdById(db, id)) ?? null;
}

/** A resident of a household, with the household; null when either is not on this device. */
export async function residentOf(
	db: GridcareDb,
	householdId: string,
	residentId: string
): Promise<{ household: HouseholdRow; resident: ResidentRow } | null> {
	const [household, resident] = await Promise.all([
		householdById(db, householdId),
		db.residents.get(residentId)
	]);
	if (!household || !resident || resident.householdId !== householdId) return null;
	return { household, resident: await db.openRow(resident) };
}

// Households and residents with ID numbers and phones in three grids of two communities, pushed
// through the API as devices do, for the privacy suites.
import { idCheckChar } from '../../src/lib/shared/id-number';
import type { ApiClient } from './api-client';

/** A valid 18-character resident ID number born on the given day (YYYYMMDD). */
export function idNumber(region: string, birth: string, serial: string): string {
	const first17 = region + birth + serial;
	return first17 + idCheckChar(first17);
}

export const SHARED_ID = idNumber('450102', '19520814', '202');
export const OTHER_ID = idNumber('450103', '19610302', '115');

export interface Person {
	household: string;
	resident: string;
}

/** Push a household with one resident into a grid; returns their ids. */
export async function addPerson(
	client: ApiClient,
	gridId: string,
	resident: { name: string; idNumber?: string; phone?: string; dailyCheckIn?: boolean }
): Promise<Person> {
	const household = crypto.randomUUID();
	const id = crypto.randomUUID();
	const results = await client.push([
		{
			id: crypto.randomUUID(),
			table: 'households',
			op: 'insert',
			rowId: household,
			fields: { gridId, address: '民生路8号1栋2单元302室' }
		},
		{
			id: crypto.randomUUID(),
			table: 'residents',
			op: 'insert',
			rowId: id,
			fields: { householdId: household, birthYear: 1952, sex: 'F', ...resident }
		}
	]);
	const refused = results.find((r) => r.status !== 'applied');
	if (refused) throw new Error(`addPerson: ${refused.reason}`);
	return { household, resident: id };
}

/**
 * An answer as text without its ids and instants, which are random or the clock's: the search
 * for a leaked digit string ("302" of a room number) must not be tripped by a uuid or by
 * milliseconds that happen to hold it.
 */
export function textWithoutIdsAndTimes(value: unknown): string {
	return JSON.stringify(value)
		.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '')
		.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g, '');
}

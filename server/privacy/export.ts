// A grid's residents as CSV for its worker or community head, masked as on screen: names, ID
// numbers and phones never leave in the clear (docs/security.md). The caller audits the export.
import { maskName, maskPhone } from '../../src/lib/shared/mask';
import { forbidden, notFound } from '../api-error';
import type { Store, UserRow } from '../store/types';
import { canUnmask } from './access';

const csvCell = (v: unknown) => {
	const text = v === null || v === undefined ? '' : String(v);
	// A leading = + - @ would run as a formula in a spreadsheet.
	const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
	return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** The CSV text of a grid's residents, with how many rows it holds and the grid's community. */
export async function residentsCsv(
	store: Store,
	user: UserRow,
	gridId: string
): Promise<{ csv: string; rows: number; communityCode: string }> {
	const grid = await store.getGrid(gridId);
	if (!grid) throw notFound('gridId', 'no such grid');
	if (!canUnmask(user, grid)) throw forbidden('gridId', "only the grid's worker or community head");
	const lines = [['household', 'name', 'idNumber', 'phone', 'birthYear', 'sex'].join(',')];
	let rows = 0;
	for (const household of await store.householdsOfGrid(grid.id))
		for (const r of await store.residentsOfHousehold(household.id)) {
			rows++;
			lines.push(
				[
					household.address,
					maskName(r.name),
					r.idNumberMasked,
					r.phone ? maskPhone(r.phone) : '',
					r.birthYear,
					r.sex
				]
					.map(csvCell)
					.join(',')
			);
		}
	return { csv: lines.join('\r\n') + '\r\n', rows, communityCode: grid.communityCode };
}

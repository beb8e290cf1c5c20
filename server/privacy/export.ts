// A grid's residents as CSV for its worker or community head, masked as on screen: names, ID
// numbers and phones never leave in the clear (docs/security.md). The caller audits the export.
import { stringify } from 'csv-stringify/sync';
import { maskName, maskPhone } from '../../src/lib/shared/mask';
import { forbidden, notFound } from '../api-error';
import type { Store, UserRow } from '../store/types';
import { canUnmask } from './access';

/**
 * CSV (RFC 4180, CRLF) that a spreadsheet opens as the text stored: a cell containing a comma, a
 * quote, a CR or an LF is quoted (a lone CR or LF too: `quote_record_delimiter`, which is off by
 * default once the delimiter is set), and a text cell starting with = + - @, a tab or a CR (or
 * their full-width forms) is prefixed with ' so that it is not run as a formula.
 */
const toCsv = (rows: (string | number | null)[][]) =>
	stringify(rows, {
		record_delimiter: 'windows',
		quote_record_delimiter: true,
		escape_formulas: true
	});

/** The CSV text of a grid's residents, with how many rows it holds and the grid's community. */
export async function residentsCsv(
	store: Store,
	user: UserRow,
	gridId: string
): Promise<{ csv: string; rows: number; communityCode: string }> {
	const grid = await store.getGrid(gridId);
	if (!grid) throw notFound('gridId', 'no such grid');
	if (!canUnmask(user, grid)) throw forbidden('gridId', "only the grid's worker or community head");
	const rows: (string | number | null)[][] = [
		['household', 'name', 'idNumber', 'phone', 'birthYear', 'sex']
	];
	for (const household of await store.householdsOfGrid(grid.id))
		for (const r of await store.residentsOfHousehold(household.id))
			rows.push([
				household.address,
				maskName(r.name),
				r.idNumberMasked,
				r.phone ? maskPhone(r.phone) : '',
				r.birthYear,
				r.sex
			]);
	return { csv: toCsv(rows), rows: rows.length - 1, communityCode: grid.communityCode };
}

// The bench's roster files: the seeded messy rosters of the tests (tests/fixtures/roster-files.ts),
// the same every run, with the summary a first import must give.
import { messyRoster } from '../fixtures/roster-files';
import type { RosterFile } from './import';

/** Six grids, as a street's roster spreads its people over its communities' grids. */
const GRIDS = ['第一网格', '第二网格', '第三网格', '第四网格', '第五网格', '第六网格'];

export async function messyRosterFile(people: number): Promise<RosterFile> {
	const roster = await messyRoster({
		people,
		seed: people,
		format: 'xlsx',
		grids: GRIDS,
		duplicates: Math.ceil(people / 500),
		today: new Date('2026-12-01T00:00:00Z')
	});
	return { bytes: roster.bytes, fileName: roster.fileName, expected: roster.expected.summary };
}

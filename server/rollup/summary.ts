// A community's daily grid summary as a spreadsheet (网格工作日报): one row of figures per grid,
// the community's total, who generated it and when. Counts only, like every roll-up.
import ExcelJS from 'exceljs';
import type { Store } from '../store/types';
import { dayPeriod } from './metrics';
import { readMetrics } from './read';

const COLUMNS = [
	['户数', 'households'],
	['今日走访户数', 'visitedHouseholds'],
	['走访次数', 'visits'],
	['异常人数', 'abnormalResidents'],
	['未结事件', 'openIncidents'],
	['超期事件', 'overdueIncidents'],
	['已签到', 'checkinsDone'],
	['应签到', 'checkinsExpected'],
	['未签到', 'missedCheckins']
] as const;

/** The workbook (xlsx bytes) of a community's figures on `date`, read at `at`; and its grid count. */
export async function communitySummaryWorkbook(
	store: Store,
	community: { code: string; name: string },
	date: string,
	at: Date,
	timeZone: string,
	generatedBy: string
): Promise<{ bytes: Uint8Array<ArrayBuffer>; grids: number }> {
	const { code } = community;
	const grids = await store.gridsOfCommunity(code);
	const metrics = await readMetrics(
		store,
		{ code, level: 'community' },
		grids.map((g) => g.id),
		dayPeriod(date),
		at,
		timeZone
	);
	const book = new ExcelJS.Workbook();
	const sheet = book.addWorksheet('网格工作日报');
	sheet.addRow([`${community.name} 网格工作日报`]);
	sheet.addRow(['日期', date]);
	sheet.addRow(['网格', ...COLUMNS.map(([label]) => label)]);
	for (const g of grids) {
		const m = metrics.get(g.id)!;
		sheet.addRow([g.name, ...COLUMNS.map(([, key]) => m[key])]);
	}
	const total = metrics.get(code)!;
	sheet.addRow(['合计', ...COLUMNS.map(([, key]) => total[key])]);
	sheet.addRow([]);
	sheet.addRow(['生成人', generatedBy, '生成时间', at.toISOString()]);
	sheet.getRow(1).font = { bold: true, size: 14 };
	sheet.getRow(3).font = { bold: true };
	const buffer = await book.xlsx.writeBuffer();
	return { bytes: new Uint8Array(buffer as ArrayBuffer), grids: grids.length };
}

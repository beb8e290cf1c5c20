import { describe, expect, it } from 'vitest';
import { columnLetter, importPaths, isRosterFile, mappingFrom } from './import-api';

const column = (index: number, header: string, field: string | null) => ({
	index,
	header,
	field,
	hidden: false
});

describe('roster import requests', () => {
	it('names columns with the letters Excel shows', () => {
		expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(columnLetter)).toEqual([
			'A',
			'B',
			'Z',
			'AA',
			'AB',
			'AZ',
			'BA',
			'ZZ',
			'AAA'
		]);
	});

	it('takes .xlsx and .csv files by their name, whatever the case', () => {
		expect(isRosterFile({ name: '台账.xlsx' })).toBe(true);
		expect(isRosterFile({ name: 'ROSTER.CSV' })).toBe(true);
		expect(isRosterFile({ name: '台账.xls' })).toBe(false);
		expect(isRosterFile({ name: '照片.jpg' })).toBe(false);
	});

	it('puts the sheet, the column choices and the grids choice in the query', () => {
		const path = importPaths.upload({
			community: '450102001003',
			sheet: '第 2 页',
			mapping: { name: 3, phone: null },
			createGrids: true
		});
		const url = new URL(path, 'http://x');
		expect(url.pathname).toBe('/imports/households');
		expect(url.searchParams.get('community')).toBe('450102001003');
		expect(url.searchParams.get('sheet')).toBe('第 2 页');
		expect(JSON.parse(url.searchParams.get('mapping')!)).toEqual({ name: 3, phone: null });
		expect(url.searchParams.get('createGrids')).toBe('true');
		expect(importPaths.upload({ community: '450102001003', mapping: {} })).toBe(
			'/imports/households?community=450102001003'
		);
	});

	it('sends only the choices that differ from what the server read', () => {
		const columns = [
			column(0, '户主/成员', null),
			column(1, '电话', 'phone'),
			column(2, '住址', 'address'),
			column(3, '座机', 'landline')
		];
		// Unchanged: nothing to send.
		expect(mappingFrom(columns, ['', 'phone', 'address', 'landline'])).toEqual({});
		// An unrecognised column given a field; another let go.
		expect(mappingFrom(columns, ['name', '', 'address', 'landline'])).toEqual({
			name: 0,
			phone: null
		});
		// Two columns swapped: each field names its new column, none is let go.
		expect(mappingFrom(columns, ['', 'landline', 'address', 'phone'])).toEqual({
			phone: 3,
			landline: 1
		});
	});
});

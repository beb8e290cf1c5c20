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

	it('sends nothing while the columns are as the server read them, every field once changed', () => {
		const fields = ['name', 'address', 'phone', 'landline', 'note'] as const;
		const columns = [
			column(0, '户主/成员', null),
			column(1, '电话', 'phone'),
			column(2, '住址', 'address'),
			column(3, '座机', 'landline')
		];
		expect(mappingFrom(columns, ['', 'phone', 'address', 'landline'], fields)).toEqual({});
		// An unrecognised column given a field, another let go: the rest as shown, the others null.
		expect(mappingFrom(columns, ['name', '', 'address', 'landline'], fields)).toEqual({
			name: 0,
			address: 2,
			phone: null,
			landline: 3,
			note: null
		});
		// Two columns swapped.
		expect(mappingFrom(columns, ['', 'landline', 'address', 'phone'], fields)).toEqual({
			name: null,
			address: 2,
			phone: 3,
			landline: 1,
			note: null
		});
	});
});

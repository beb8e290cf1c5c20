import { describe, expect, it } from 'vitest';
import {
	addressPrefixes,
	buildingAndUnit,
	composeAddress,
	missingParts,
	parseAddress
} from './address';

describe('composeAddress', () => {
	it.each([
		[{ prefix: '民生路12号', building: '3', unit: '2', room: '501' }, '民生路12号3栋2单元501室'],
		[
			{ prefix: '民生路12号', building: '3栋', unit: '2单元', room: '501室' },
			'民生路12号3栋2单元501室'
		],
		[{ prefix: '阳光小区', building: 'A', unit: '', room: '101' }, '阳光小区A栋101室'],
		[{ prefix: ' 民生路12号 ', building: ' 3 ', unit: '', room: '' }, '']
	])('%j → %s', (parts, address) => expect(composeAddress(parts)).toBe(address));

	it('names the missing parts', () => {
		expect(missingParts({ prefix: '', building: '3', unit: '', room: '' })).toEqual([
			'prefix',
			'room'
		]);
	});
});

describe('parseAddress', () => {
	it.each([
		['民生路12号3栋2单元501室', { prefix: '民生路12号', building: '3', unit: '2', room: '501' }],
		['阳光小区A栋101室', { prefix: '阳光小区', building: 'A', unit: '', room: '101' }],
		['兴宁村第三村民小组12号', null]
	])('%s', (address, parts) => expect(parseAddress(address)).toEqual(parts));

	it('round-trips a composed address', () => {
		const parts = { prefix: '长堽路7号', building: '12', unit: '1', room: '1803' };
		expect(parseAddress(composeAddress(parts))).toEqual(parts);
	});
});

describe('addressPrefixes', () => {
	it('lists estates by how often they occur', () => {
		expect(
			addressPrefixes([
				'民生路3号1栋1单元101室',
				'民生路12号3栋2单元501室',
				'民生路12号4栋1单元201室',
				'兴宁村第三村民小组12号'
			])
		).toEqual(['民生路12号', '民生路3号']);
	});
});

describe('buildingAndUnit', () => {
	it('keeps the building and unit of an estate address, never the room or the estate', () => {
		expect(buildingAndUnit('民生路12号3栋2单元501室')).toBe('3栋2单元');
		expect(buildingAndUnit('阳光小区十二栋 1 单元 1203 室')).toBe('十二栋1单元');
		expect(buildingAndUnit('民生路8号1栋302室')).toBe('1栋');
	});

	it('says nothing of an address not in the building/unit/room form', () => {
		expect(buildingAndUnit('兴宁村第三村民小组12号')).toBeNull();
		expect(buildingAndUnit('')).toBeNull();
	});
});

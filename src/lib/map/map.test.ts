import { describe, expect, it } from 'vitest';
import { extentOf, ringsOfBoundary, spotsOf, type PlacedHousehold } from './geo';
import { tilesCachedOffline, tileUrlProblem } from './tile-url';
import { mostUrgent, visitStatus } from './visit-status';

describe('visitStatus', () => {
	it.each([
		[false, false, 'not_visited'],
		[true, false, 'visited'],
		[true, true, 'abnormal'],
		[false, true, 'abnormal']
	] as const)('visited %s, abnormal %s → %s', (visitedThisMonth, lastVisitAbnormal, status) => {
		expect(visitStatus({ visitedThisMonth, lastVisitAbnormal })).toBe(status);
	});

	it('orders by urgency', () => {
		expect(mostUrgent('visited', 'not_visited')).toBe('not_visited');
		expect(mostUrgent('abnormal', 'not_visited')).toBe('abnormal');
	});
});

describe('geometry', () => {
	it('turns a GeoJSON polygon into [lat, lng] rings', () => {
		const boundary = {
			type: 'Polygon',
			coordinates: [
				[
					[108.3, 22.8],
					[108.31, 22.8],
					[108.31, 22.81],
					[108.3, 22.8]
				]
			]
		};
		expect(ringsOfBoundary(boundary)?.[0][1]).toEqual([22.8, 108.31]);
		expect(ringsOfBoundary({ type: 'Point', coordinates: [1, 2] })).toBeNull();
		expect(ringsOfBoundary(null)).toBeNull();
	});

	it('boxes the households', () => {
		expect(
			extentOf(
				[
					[22.8, 108.3],
					[22.81, 108.32]
				],
				0
			)
		).toEqual({
			south: 22.8,
			west: 108.3,
			north: 22.81,
			east: 108.32
		});
		expect(extentOf([])).toBeNull();
	});

	it('draws the flats of one building as one spot with its most urgent status', () => {
		const at = (id: string, lat: number, status: PlacedHousehold['status']): PlacedHousehold => ({
			id,
			address: `1栋${id}室`,
			lat,
			lng: 108.3,
			status
		});
		const spots = spotsOf([
			at('102', 22.8, 'visited'),
			at('101', 22.8, 'abnormal'),
			at('9', 22.9, 'not_visited')
		]);
		expect(spots.map((s) => [s.households.length, s.status])).toEqual([
			[2, 'abnormal'],
			[1, 'not_visited']
		]);
		expect(spots[0].households.map((h) => h.id)).toEqual(['101', '102']);
	});
});

describe('tile URL', () => {
	it.each([
		['https://tiles.example.cn/{z}/{x}/{y}.png', null, true],
		['http://10.0.0.5:8080/osm/{z}/{x}/{y}{r}.png', null, true],
		['https://tiles.example.cn/tile?x={x}&y={y}&z={z}', null, false],
		['https://tiles.example.cn/{z}/{x}.png', 'missing_placeholders', false],
		['ftp://tiles.example.cn/{z}/{x}/{y}.png', 'not_http', false],
		['not a url', 'not_http', false]
	] as const)('%s', (template, problem, cached) => {
		expect(tileUrlProblem(template)).toBe(problem);
		if (!problem) expect(tilesCachedOffline(template)).toBe(cached);
	});
});

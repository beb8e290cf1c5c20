import { describe, expect, it } from 'vitest';
import { isCacheableTile, isMapTileRequest } from './tiles';

describe('isMapTileRequest', () => {
	it.each([
		['image', 'https://tiles.example.cn/12/3370/1780.png', true],
		['image', 'https://tiles.example.cn/osm/3/6/3@2x.png', true],
		['image', 'http://localhost:8787/tiles/18/215836/113892.webp', true],
		['image', 'https://tiles.example.cn/12/3370/1780.jpg', true],
		['image', 'http://localhost:8787/icons/icon-192.png', false],
		['image', 'http://localhost:8787/api/v1/tiles/1/2/3.png', false],
		['', 'https://tiles.example.cn/12/3370/1780.png', false],
		['script', 'https://tiles.example.cn/12/3370/1780.png', false],
		['image', 'https://tiles.example.cn/12/3370/1780.png?v=1', true],
		['image', 'https://tiles.example.cn/a/b/c.png', false]
	] as const)('%s %s → %s', (destination, url, expected) => {
		expect(isMapTileRequest({ destination }, new URL(url))).toBe(expected);
	});
});

describe('isCacheableTile', () => {
	it('keeps complete CORS answers only', () => {
		expect(isCacheableTile(new Response('x', { status: 200 }))).toBe(true);
		expect(isCacheableTile(new Response('x', { status: 404 }))).toBe(false);
		expect(isCacheableTile({ status: 0, type: 'opaque' } as Response)).toBe(false);
	});
});

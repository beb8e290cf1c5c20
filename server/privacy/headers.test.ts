import { describe, expect, it } from 'vitest';
import { tileOrigin } from './headers';

describe('tileOrigin', () => {
	it.each([
		['https://tiles.example.cn/{z}/{x}/{y}.png', 'https://tiles.example.cn'],
		['http://10.0.0.5:8080/osm/{z}/{x}/{y}{r}.png', 'http://10.0.0.5:8080'],
		// {s} stands for several hosts (a, b, c…): all of them, as a wildcard.
		['https://{s}.tile.example.cn/{z}/{x}/{y}.png', 'https://*.tile.example.cn'],
		['https://t{s}.tianditu.gov.cn/DataServer?x={x}&y={y}&l={z}', 'https://*.tianditu.gov.cn'],
		['http://{s}.tiles.local:8080/{z}/{x}/{y}.png', 'http://*.tiles.local:8080'],
		['https://{s}/{z}/{x}/{y}.png', null],
		['not a url', null],
		[undefined, null]
	])('%s → %s', (template, origin) => {
		expect(tileOrigin(template)).toBe(origin);
	});
});

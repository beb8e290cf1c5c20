import { describe, expect, it } from 'vitest';
import {
	isOfflineRoute,
	offlineFiles,
	onDemandFiles,
	offlineNodes,
	type KitRoute,
	type ViteManifest
} from './offline-routes';

const page = (leaf: number, layouts: (number | undefined)[] = [0]) => ({
	layouts,
	errors: [1],
	leaf
});

/** The route table of a small app: nodes 0 (root layout), 1 (root error), 2 (worker layout). */
const routes: KitRoute[] = [
	{ id: '/', page: page(3) },
	{ id: '/login', page: page(4) },
	{ id: '/worker', page: page(5, [0, 2]) },
	{ id: '/worker/map', page: page(6, [0, 2]) },
	{ id: '/kiosk', page: page(7) },
	{ id: '/supervise', page: page(8) },
	{ id: '/workers-union', page: page(9) },
	{ id: '/api/health', page: null }
];

const node = (i: number, extra: Partial<ViteManifest[string]> = {}) => ({
	[`gen/nodes/${i}.js`]: {
		file: `_app/immutable/nodes/${i}.h.js`,
		name: `nodes/${i}`,
		isEntry: true,
		imports: ['_runtime.js'],
		...extra
	}
});

const manifest: ViteManifest = {
	'gen/app.js': {
		file: '_app/immutable/entry/app.h.js',
		name: 'entry/app',
		isEntry: true,
		imports: ['_runtime.js'],
		dynamicImports: [...Array.from({ length: 10 }, (_, i) => `gen/nodes/${i}.js`), 'gen/error.js']
	},
	'kit/entry.js': { file: '_app/immutable/entry/start.h.js', name: 'entry/start', isEntry: true },
	'gen/error.js': { file: '_app/immutable/chunks/error.h.js', name: 'error-template' },
	'_runtime.js': {
		file: '_app/immutable/chunks/runtime.h.js',
		css: ['_app/immutable/assets/r.css']
	},
	'_sync.js': {
		file: '_app/immutable/chunks/sync.h.js',
		assets: ['_app/immutable/workers/pull.worker-h.js']
	},
	'_leaflet.js': {
		file: '_app/immutable/chunks/leaflet.h.js',
		css: ['_app/immutable/assets/leaflet.css']
	},
	'_chart.js': { file: '_app/immutable/chunks/chart.h.js' },
	...node(0, { css: ['_app/immutable/assets/0.css'] }),
	...node(1),
	...node(2, { imports: ['_runtime.js', '_sync.js'] }),
	...node(3),
	...node(4),
	...node(5),
	...node(6, { dynamicImports: ['_leaflet.js'] }),
	...node(7),
	...node(8, { imports: ['_chart.js'], dynamicImports: ['_leaflet.js'] }),
	...node(9)
};

describe('isOfflineRoute', () => {
	it.each([
		['/', true],
		['/login', true],
		['/worker', true],
		['/worker/household/[id]/visit', true],
		['/kiosk/enrol', true],
		['/supervise', false],
		['/supervise/map', false],
		['/manage/grids/[id]/boundary', false],
		['/workers-union', false],
		['/loginx', false]
	])('%s → %s', (id, expected) => {
		expect(isOfflineRoute(id)).toBe(expected);
	});
});

describe('offlineFiles', () => {
	it('takes the offline routes’ nodes with the layouts and error page above them', () => {
		expect([...offlineNodes(routes)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
	});

	it('follows static and dynamic imports of offline nodes, and no other route’s node', () => {
		const files = offlineFiles(manifest, routes);
		expect(files).toEqual(
			new Set([
				'_app/immutable/entry/app.h.js',
				'_app/immutable/entry/start.h.js',
				'_app/immutable/chunks/error.h.js',
				'_app/immutable/chunks/runtime.h.js',
				'_app/immutable/assets/r.css',
				'_app/immutable/assets/0.css',
				'_app/immutable/chunks/sync.h.js',
				'_app/immutable/workers/pull.worker-h.js',
				'_app/immutable/chunks/leaflet.h.js',
				'_app/immutable/assets/leaflet.css',
				...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `_app/immutable/nodes/${i}.h.js`)
			])
		);
		// The supervisors' screen and what only it uses load on demand.
		expect(files.has('_app/immutable/nodes/8.h.js')).toBe(false);
		expect(files.has('_app/immutable/chunks/chart.h.js')).toBe(false);
	});

	it('leaves the other routes’ code to load on demand', () => {
		expect(onDemandFiles(manifest, routes)).toEqual(
			new Set([
				'_app/immutable/nodes/8.h.js',
				'_app/immutable/chunks/chart.h.js',
				'_app/immutable/nodes/9.h.js'
			])
		);
	});

	it('refuses a manifest that lacks a route node or an imported chunk', () => {
		const { ['gen/nodes/6.js']: _map, ...withoutMap } = manifest;
		expect(() => offlineFiles(withoutMap, routes)).toThrow('route nodes 6');
		const broken = { ...manifest, ...node(5, { imports: ['_gone.js'] }) };
		expect(() => offlineFiles(broken, routes)).toThrow('no chunk _gone.js');
	});
});

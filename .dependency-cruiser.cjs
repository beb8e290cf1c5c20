// Import rules checked by `npm run lint` over server/ and src/ (docs/architecture.md, "Layers").
// Type-only imports count: a cycle through types still ties two modules together. Components
// are read as the Svelte compiler emits them, so a .svelte file's type-only imports are not seen.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
	forbidden: [
		{
			name: 'no-cycles',
			severity: 'error',
			comment:
				'Modules that import each other cannot be understood, tested or moved one at a time.',
			from: {},
			to: { circular: true }
		},
		{
			name: 'one-write-path',
			severity: 'error',
			comment:
				'The raw write transaction of the synced tables is opened by the write path (server/write/) only: every change is authorized and gets its effects there.',
			from: { path: '^(server|src)/', pathNot: '^server/(store|write)/' },
			to: { path: '^server/store/(row-access|sync-tx|sync-types)\\.ts$' }
		},
		{
			name: 'routes-on-top',
			severity: 'error',
			comment:
				'Routes are the HTTP layer: only the app mounts them, and no service imports one (docs/architecture.md, "Layers").',
			from: { path: '^(server|src)/', pathNot: '^server/(routes/|app\\.ts$)' },
			to: { path: '^server/routes/' }
		},
		{
			name: 'services-above-figures',
			severity: 'error',
			comment:
				'Supervision and the kiosk use the figures, the write path, sync, privacy and auth; none of those imports them back.',
			from: { path: '^server/(auth|privacy|rollup|sync|write)/' },
			to: { path: '^server/(supervision|kiosk)/' }
		},
		{
			name: 'store-below-callers',
			severity: 'error',
			comment: 'The store is the bottom layer: it never imports the write path, sync or routes.',
			from: { path: '^server/store/' },
			to: { path: '^server/(write|sync|routes|supervision|kiosk)/' }
		}
	],
	options: {
		doNotFollow: { path: 'node_modules' },
		exclude: { path: '^(src/lib/paraglide|\\.svelte-kit)/' },
		tsPreCompilationDeps: true,
		tsConfig: { fileName: 'tsconfig.imports.json' },
		enhancedResolveOptions: {
			exportsFields: ['exports'],
			conditionNames: ['import', 'require', 'node', 'default', 'types'],
			extensions: ['.ts', '.js', '.svelte', '.json'],
			mainFields: ['module', 'main', 'types']
		},
		reporterOptions: { text: { highlightFocused: true } }
	}
};

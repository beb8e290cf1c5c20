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

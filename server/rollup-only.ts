// GRIDCARE_MODE=rollup-only (docs/scaling.md, "The national server"): a server whose figures
// arrive by logical replication from the provinces' databases. It keeps no personal data, takes
// no pushes and runs no periodic jobs; it answers sign-in, account management, the division
// tree and its import, and the roll-up reads (figures only). Every other API path answers 404
// with an error that says why.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './context';

/** The API paths (after /api/v1) a roll-up-only server answers. */
const ROLLUP_ONLY_PATHS: readonly RegExp[] = [
	/^\/health(\/ready)?$/,
	/^\/auth\/(login|logout)$/,
	/^\/users(\/[^/]+(\/password)?)?$/,
	/^\/provinces$/,
	/^\/divisions\/import$/,
	/^\/divisions\/[^/]+(\/summary\.xlsx)?$/,
	/^\/rollup\/[^/]+(\/trend)?$/,
	/^\/openapi\.json$/,
	/^\/docs$/
];

/** Whether a roll-up-only server answers an API path (with or without the /api/v1 prefix). */
export function servedRollupOnly(path: string, prefix: string): boolean {
	const rest = path.startsWith(prefix) ? path.slice(prefix.length) : path;
	return ROLLUP_ONLY_PATHS.some((pattern) => pattern.test(rest));
}

/** Refuse, in rollup-only mode, every API path such a server does not answer. */
export function rollupOnlyGate(prefix: string): MiddlewareHandler<AppEnv> {
	return async (c, next) => {
		const mode = c.var.services.config.mode;
		if (mode !== 'rollup-only' || servedRollupOnly(c.req.path, prefix)) return next();
		return c.json(
			{
				error: 'not_found',
				message: `path: ${c.req.method} ${c.req.path} is not served by a roll-up-only server (GRIDCARE_MODE=rollup-only): it keeps figures only`
			},
			404
		);
	};
}

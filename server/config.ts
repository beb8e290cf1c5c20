// Deployment configuration from the environment (README, "Configuration").
import { DEFAULT_DATABASE_URL } from './store/index';
import { timeZoneFromEnv } from './time-zone';
import { TrustedProxies } from './auth/client-address';

export interface Config {
	databaseUrl: string;
	port: number;
	timeZone: string;
	/** How long a login session (bearer token) lives. Tablets sync with it for days offline. */
	sessionTtlMs: number;
	/** Folder of the built app served at "/". */
	appDir: string;
	/** Privacy: days after which visits' health details are deleted. */
	retentionDays: number;
	/** Privacy: map tile URL template whose origin the Content-Security-Policy allows. */
	tileUrl?: string;
	/** Incremental roll-up maintenance on push; GRIDCARE_ROLLUP=off only for benchmarks. */
	rollup: boolean;
	/** Proxies whose X-Forwarded-For names the client (GRIDCARE_TRUSTED_PROXIES); none by default. */
	trustedProxies: TrustedProxies;
	/**
	 * Gzip API answers on the fly (GRIDCARE_COMPRESSION=off when a reverse proxy in front already
	 * compresses). The built app's precompressed files are served either way.
	 */
	compression: boolean;
	/** How often each process ticks the periodic supervision job (GRIDCARE_JOB_INTERVAL_SECONDS). */
	jobIntervalMs: number;
	/** Bearer token of GET /metrics (GRIDCARE_METRICS_TOKEN); none: /metrics answers 404. */
	metricsToken?: string;
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
	if (value === undefined || value === '') return fallback;
	const n = Number(value);
	if (!Number.isInteger(n) || n <= 0)
		throw new Error(`${name}: expected a positive integer, got "${value}"`);
	return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
	const timeZone = timeZoneFromEnv(env);
	return {
		databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
		port: positiveInt('PORT', env.PORT, 8787),
		timeZone,
		sessionTtlMs:
			positiveInt('GRIDCARE_SESSION_HOURS', env.GRIDCARE_SESSION_HOURS, 24 * 7) * 3600_000,
		appDir: env.GRIDCARE_APP_DIR || 'build',
		retentionDays: positiveInt('GRIDCARE_RETENTION_DAYS', env.GRIDCARE_RETENTION_DAYS, 30),
		tileUrl: env.GRIDCARE_TILE_URL || undefined,
		rollup: env.GRIDCARE_ROLLUP !== 'off',
		trustedProxies: new TrustedProxies(env.GRIDCARE_TRUSTED_PROXIES ?? ''),
		compression: env.GRIDCARE_COMPRESSION !== 'off',
		jobIntervalMs:
			positiveInt('GRIDCARE_JOB_INTERVAL_SECONDS', env.GRIDCARE_JOB_INTERVAL_SECONDS, 60) * 1000,
		metricsToken: env.GRIDCARE_METRICS_TOKEN || undefined
	};
}

// Deployment configuration from the environment (README, "Configuration"). Every value is
// checked here and a bad one throws a one-line Error naming its variable, which `gridcare serve`
// prints before it serves anything (what needs I/O, such as reaching the database, is checked by
// probeDatabase in server/store/probe.ts).
import { tileUrlProblem } from '../src/lib/shared/tile-url';
import { databaseTarget, DEFAULT_DATABASE_URL, readReplicaUrl } from './store/database-url';
import { timeZoneFromEnv } from './time-zone';
import { TrustedProxies } from './auth/client-address';
import { parseIdKey } from './privacy/ids';

/** GRIDCARE_MODE: a full server, or a national one that keeps figures only (server/rollup-only.ts). */
export const MODES = ['full', 'rollup-only'] as const;
export type Mode = (typeof MODES)[number];

export interface Config {
	databaseUrl: string;
	/** A streaming replica of databaseUrl that serves the figure reads (DATABASE_READ_URL). */
	databaseReadUrl?: string;
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
	/**
	 * GRIDCARE_MODE: `full` (default), or `rollup-only` for a national server whose figures
	 * arrive by logical replication (server/rollup-only.ts, docs/scaling.md).
	 */
	mode: Mode;
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
	if (value === undefined || value === '') return fallback;
	const n = Number(value);
	if (!Number.isInteger(n) || n <= 0)
		throw new Error(`${name}: expected a positive integer, got "${value}"`);
	return n;
}

function port(value: string | undefined): number {
	const n = positiveInt('PORT', value, 8787);
	if (n > 65_535) throw new Error(`PORT: expected a port number from 1 to 65535, got "${value}"`);
	return n;
}

/** A switch is `on`, `off`, or unset (its default). */
function checkOnOff(name: string, value: string | undefined): void {
	if (value === undefined || value === '' || value === 'on' || value === 'off') return;
	throw new Error(`${name}: expected on or off, got "${value}"`);
}

/** GRIDCARE_TILE_URL: an http(s) template with {z}, {x} and {y}; {s} and {r} as Leaflet reads them. */
function tileUrl(value: string | undefined): string | undefined {
	if (!value) return undefined;
	const problem = tileUrlProblem(value);
	if (problem === 'not_http')
		throw new Error(
			`GRIDCARE_TILE_URL: expected an http:// or https:// URL template, got "${value}"`
		);
	if (problem === 'missing_placeholders')
		throw new Error(
			`GRIDCARE_TILE_URL: the template must contain {z}, {x} and {y} (https://tiles.example.cn/{z}/{x}/{y}.png), got "${value}"`
		);
	const unknown = [...value.matchAll(/\{([^}]*)\}/g)].find((m) => !/^[sxyzr]$/.test(m[1]));
	if (unknown)
		throw new Error(
			`GRIDCARE_TILE_URL: unknown placeholder ${unknown[0]}: only {s}, {z}, {x}, {y} and {r}`
		);
	return value;
}

function mode(value: string | undefined): Mode {
	if (value === undefined || value === '') return 'full';
	if ((MODES as readonly string[]).includes(value)) return value as Mode;
	throw new Error(`GRIDCARE_MODE: expected ${MODES.join(' or ')}, got "${value}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
	const timeZone = timeZoneFromEnv(env);
	const databaseUrl = env.DATABASE_URL || DEFAULT_DATABASE_URL;
	databaseTarget(databaseUrl);
	// Read again by the store when it first seals an ID number (drizzle-store.ts); checked here so
	// that a bad key stops the start, not the first push carrying an ID number.
	parseIdKey(env.GRIDCARE_ID_KEY);
	checkOnOff('GRIDCARE_ROLLUP', env.GRIDCARE_ROLLUP);
	checkOnOff('GRIDCARE_COMPRESSION', env.GRIDCARE_COMPRESSION);
	return {
		databaseUrl,
		databaseReadUrl: readReplicaUrl(env.DATABASE_READ_URL, databaseUrl),
		port: port(env.PORT),
		timeZone,
		sessionTtlMs:
			positiveInt('GRIDCARE_SESSION_HOURS', env.GRIDCARE_SESSION_HOURS, 24 * 7) * 3600_000,
		appDir: env.GRIDCARE_APP_DIR || 'build',
		retentionDays: positiveInt('GRIDCARE_RETENTION_DAYS', env.GRIDCARE_RETENTION_DAYS, 30),
		tileUrl: tileUrl(env.GRIDCARE_TILE_URL),
		rollup: env.GRIDCARE_ROLLUP !== 'off',
		trustedProxies: new TrustedProxies(env.GRIDCARE_TRUSTED_PROXIES ?? ''),
		compression: env.GRIDCARE_COMPRESSION !== 'off',
		jobIntervalMs:
			positiveInt('GRIDCARE_JOB_INTERVAL_SECONDS', env.GRIDCARE_JOB_INTERVAL_SECONDS, 60) * 1000,
		metricsToken: env.GRIDCARE_METRICS_TOKEN || undefined,
		mode: mode(env.GRIDCARE_MODE)
	};
}

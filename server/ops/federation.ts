// The national federation (docs/scaling.md, "The national federation"): each province's
// database publishes its division-level figures, and the national database subscribes to each
// province with PostgreSQL's own logical replication. Nothing here copies a figure: these are
// the operator's commands (`gridcare federation publish | subscribe | status`) that set the
// replication up and report on it.
import postgres from 'postgres';
import { databaseTarget, maskDatabaseUrl } from '../store/database-url';

/** The publication every province database offers the national one. */
export const PUBLICATION = 'gridcare_federation';

/**
 * What is published: the figures of division nodes only (codes are digits; grid ids are not, and
 * a grid's rows stay in its province) and the days frozen per province. No table with a person,
 * a household, a grid or an account in it.
 */
const PUBLISHED = `table rollup_figures where (node_code ~ '^[0-9]+$'), table rollup_days`;

function client(url: string, field: string): postgres.Sql {
	if (databaseTarget(url).kind !== 'postgres')
		throw new Error(`${field}: the federation needs PostgreSQL, got ${maskDatabaseUrl(url)}`);
	return postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
}

async function withClient<T>(
	url: string,
	field: string,
	fn: (sql: postgres.Sql) => Promise<T>
): Promise<T> {
	const sql = client(url, field);
	try {
		return await fn(sql);
	} finally {
		await sql.end({ timeout: 5 });
	}
}

/** The provinces (two-digit codes) a database has grids in. */
async function provincesOf(sql: postgres.Sql): Promise<string[]> {
	const rows = await sql<{ province: string }[]>`
		select distinct substr(community_code, 1, 2) as province from grids order by 1`;
	return rows.map((r) => r.province);
}

/**
 * On a province's database: publish its figures (idempotent). Refuses a server whose
 * `wal_level` is not `logical`, naming the setting.
 */
export async function publishFigures(url: string): Promise<{ provinces: string[] }> {
	return withClient(url, 'DATABASE_URL', async (sql) => {
		const [{ wal_level }] = await sql<{ wal_level: string }[]>`show wal_level`;
		if (wal_level !== 'logical')
			throw new Error(
				`wal_level: the province's PostgreSQL runs with wal_level=${wal_level}; set wal_level=logical and restart it`
			);
		const [exists] = await sql`select 1 from pg_publication where pubname = ${PUBLICATION}`;
		if (!exists) await sql.unsafe(`create publication ${PUBLICATION} for ${PUBLISHED}`);
		return { provinces: await provincesOf(sql) };
	});
}

/** A subscription's name: `province_<codes>` from the provinces the database has grids in. */
export function subscriptionName(provinces: string[]): string {
	if (provinces.length === 0) throw new Error('from: the province database has no grids yet');
	return `province_${provinces.join('_')}`;
}

/**
 * On the national database (`nationalUrl`, migrated): subscribe to a province's publication.
 * The replication slot is made on the province first and the subscription told not to make one,
 * which works whether or not the two databases share a PostgreSQL server. `provinceUrl` is used
 * twice: by this command, and by the national PostgreSQL server, which keeps it as the
 * subscription's connection string. Refuses a province whose provinces another subscription
 * already brings (their rows would conflict and stop replication).
 */
export async function subscribeProvince(
	nationalUrl: string,
	provinceUrl: string,
	name?: string
): Promise<{ name: string; provinces: string[] }> {
	const provinces = await withClient(provinceUrl, 'from', async (sql) => {
		const [published] = await sql`select 1 from pg_publication where pubname = ${PUBLICATION}`;
		if (!published)
			throw new Error(
				`from: ${maskDatabaseUrl(provinceUrl)} publishes no figures yet; run gridcare federation publish there first`
			);
		return provincesOf(sql);
	});
	const subscription = name ?? subscriptionName(provinces);
	if (!/^[a-z_][a-z0-9_]{0,62}$/.test(subscription))
		throw new Error(`name: expected lower-case letters, digits and _, got "${subscription}"`);
	await withClient(nationalUrl, 'DATABASE_URL', async (sql) => {
		const [taken] = await sql`select 1 from pg_subscription where subname = ${subscription}`;
		if (taken) throw new Error(`name: a subscription "${subscription}" exists already`);
		const [clash] = await sql<{ province: string }[]>`
			select province from rollup_days where province = any(${provinces}::text[]) limit 1`;
		if (clash)
			throw new Error(
				`from: the national database already has figures of province ${clash.province}; one database per province`
			);
	});
	await withClient(provinceUrl, 'from', async (sql) => {
		const [slot] = await sql`select 1 from pg_replication_slots where slot_name = ${subscription}`;
		if (!slot) await sql`select pg_create_logical_replication_slot(${subscription}, 'pgoutput')`;
	});
	await withClient(nationalUrl, 'DATABASE_URL', async (sql) => {
		const conninfo = provinceUrl.replaceAll("'", "''");
		await sql.unsafe(
			`create subscription ${subscription} connection '${conninfo}' publication ${PUBLICATION} ` +
				`with (create_slot = false, slot_name = '${subscription}')`
		);
	});
	return { name: subscription, provinces };
}

export interface SubscriptionStatus {
	name: string;
	enabled: boolean;
	/** The apply worker runs (null while it starts, or after an error stopped it). */
	workerPid: number | null;
	/** When the province last reported its position; null before it did. */
	lastReportAt: Date | null;
	/** Seconds since the province last reported, at the time of asking. */
	sinceReportSeconds: number | null;
}

/** On the national database: every subscription and how recently its province reported. */
export async function federationStatus(nationalUrl: string): Promise<SubscriptionStatus[]> {
	return withClient(nationalUrl, 'DATABASE_URL', async (sql) => {
		const rows = await sql<
			{
				name: string;
				enabled: boolean;
				pid: number | null;
				at: Date | null;
				since: number | null;
			}[]
		>`
			select s.subname as name, s.subenabled as enabled, st.pid,
				st.latest_end_time as at,
				extract(epoch from now() - st.latest_end_time)::float8 as since
			from pg_subscription s
			left join pg_stat_subscription st on st.subid = s.oid and st.relid is null
			where s.subdbid = (select oid from pg_database where datname = current_database())
			order by s.subname`;
		return rows.map((r) => ({
			name: r.name,
			enabled: r.enabled,
			workerPid: r.pid,
			lastReportAt: r.at,
			sinceReportSeconds: r.since === null ? null : Number(r.since)
		}));
	});
}

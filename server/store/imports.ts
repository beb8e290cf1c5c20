// Database side of the roster import's previews (server/imports/previews.ts, docs/imports.md):
// the `imports` table, one body of drizzle queries for both dialects like drizzle-store.ts,
// reached through Store.imports(). A preview moves preview → committing → committed; the move to
// committing is one conditional UPDATE, so of two processes committing the same preview one wins.
import { and, eq, gt, lte } from 'drizzle-orm';
import type { Db, Driver, Tables } from './driver';

export type ImportRow = Tables['imports']['$inferSelect'];
export type ImportStatus = 'preview' | 'committing' | 'committed';

export class ImportQueries {
	private readonly t: Tables;
	constructor(private readonly driver: Pick<Driver, 'db' | 'tables'>) {
		this.t = driver.tables;
	}

	private get db(): Db {
		return this.driver.db;
	}

	async insert(row: ImportRow): Promise<void> {
		await this.db.insert(this.t.imports).values(row);
	}

	async get(id: string): Promise<ImportRow | null> {
		const i = this.t.imports;
		const [row] = await this.db.select().from(i).where(eq(i.id, id)).limit(1);
		return row ?? null;
	}

	/**
	 * Move a preview that has not expired at `at` to committing, its progress reset to 0 of
	 * `total`, in one statement. False when it is not (or no longer) a preview, or has expired.
	 */
	async claim(id: string, at: Date, total: number): Promise<boolean> {
		const i = this.t.imports;
		const rows = await this.db
			.update(i)
			.set({ status: 'committing', progressDone: 0, progressTotal: total })
			.where(and(eq(i.id, id), eq(i.status, 'preview'), gt(i.expiresAt, at)))
			.returning({ id: i.id });
		return rows.length === 1;
	}

	async progress(id: string, done: number, total: number): Promise<void> {
		const i = this.t.imports;
		await this.db
			.update(i)
			.set({ progressDone: done, progressTotal: total })
			.where(and(eq(i.id, id), eq(i.status, 'committing')));
	}

	/** A committing import done: its summary, and the preview and rejected rows of the commit. */
	async finish(
		id: string,
		done: Pick<ImportRow, 'result' | 'preview' | 'rejected' | 'progressDone' | 'progressTotal'>
	): Promise<void> {
		const i = this.t.imports;
		await this.db
			.update(i)
			.set({ ...done, status: 'committed' })
			.where(and(eq(i.id, id), eq(i.status, 'committing')));
	}

	/** A commit that failed: the import is a preview again, to be committed anew. */
	async release(id: string): Promise<void> {
		const i = this.t.imports;
		await this.db
			.update(i)
			.set({ status: 'preview', progressDone: 0, progressTotal: 0 })
			.where(and(eq(i.id, id), eq(i.status, 'committing')));
	}

	/** Delete the imports that expired at or before `at`; returns how many. */
	async purgeExpired(at: Date): Promise<number> {
		const i = this.t.imports;
		const rows = await this.db.delete(i).where(lte(i.expiresAt, at)).returning({ id: i.id });
		return rows.length;
	}
}

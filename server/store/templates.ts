// Database side of check templates (docs/check-templates.md): the templates usable at a
// division (shipped ones from code, stored ones of the division and its ancestors), one by id at
// its current or a given version, creation, changes (a change of the questions makes the next
// version) and the list of versions. One body of drizzle queries for both dialects like
// drizzle-store.ts, reached through Store.templates().
import { and, desc, eq, inArray } from 'drizzle-orm';
import {
	SHIPPED_TEMPLATES,
	shippedTemplate,
	type Question,
	type TemplateVersion
} from '../../src/lib/shared/templates';
import type { Db, Driver, Tables } from './driver';
import { divisionAndAncestors } from '../rollup/nodes';

export type TemplateRow = Tables['checkTemplates']['$inferSelect'];

/** A template at one version, with when it was made and last changed (none for shipped ones). */
export interface StoredTemplate extends TemplateVersion {
	shipped: boolean;
	createdAt?: Date;
	updatedAt?: Date;
}

/** One version as the version list names it. */
export interface TemplateVersionEntry {
	version: number;
	name: string;
	/** null for a shipped template. */
	createdAt: Date | null;
	createdBy: string | null;
}

/** Questions compared by content: the stored JSON may come back with its keys reordered. */
function canonical(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
	if (value && typeof value === 'object')
		return `{${Object.keys(value)
			.filter((k) => (value as Record<string, unknown>)[k] !== undefined)
			.sort()
			.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
			.join(',')}}`;
	return JSON.stringify(value);
}

export const sameQuestions = (a: readonly Question[], b: readonly Question[]) =>
	canonical(a) === canonical(b);

const shipped = (t: TemplateVersion): StoredTemplate => ({ ...t, shipped: true });

function fromRow(row: TemplateRow): StoredTemplate {
	return {
		id: row.id,
		version: row.version,
		name: row.name,
		...(row.nameEn ? { nameEn: row.nameEn } : {}),
		divisionCode: row.divisionCode,
		questions: row.questions,
		shipped: false,
		createdAt: row.createdAt,
		updatedAt: row.updatedAt
	};
}

export class TemplateQueries {
	private readonly t: Tables;
	constructor(private readonly driver: Pick<Driver, 'db' | 'tables' | 'transaction'>) {
		this.t = driver.tables;
	}

	private get db(): Db {
		return this.driver.db;
	}

	/**
	 * Templates usable at a division: the shipped ones, then those made in the division or one
	 * of its ancestors, by name. Each at its current version.
	 */
	async usableAt(divisionCode: string): Promise<StoredTemplate[]> {
		const c = this.t.checkTemplates;
		const rows = await this.db
			.select()
			.from(c)
			.where(inArray(c.divisionCode, divisionAndAncestors(divisionCode)));
		const made = rows
			.map(fromRow)
			.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN') || a.id.localeCompare(b.id));
		return [...SHIPPED_TEMPLATES.map(shipped), ...made];
	}

	/** A template at its current version, or at `version`; null when there is none such. */
	async get(id: string, version?: number): Promise<StoredTemplate | null> {
		const fixed = SHIPPED_TEMPLATES.find((t) => t.id === id);
		if (fixed) {
			const v = shippedTemplate(id, version);
			return v ? shipped(v) : null;
		}
		const c = this.t.checkTemplates;
		const [row] = await this.db.select().from(c).where(eq(c.id, id)).limit(1);
		if (!row) return null;
		const head = fromRow(row);
		if (version === undefined || version === row.version) return head;
		const v = this.t.checkTemplateVersions;
		const [old] = await this.db
			.select()
			.from(v)
			.where(and(eq(v.templateId, id), eq(v.version, version)))
			.limit(1);
		if (!old) return null;
		const { nameEn: _headNameEn, ...rest } = head;
		return {
			...rest,
			version: old.version,
			name: old.name,
			...(old.nameEn ? { nameEn: old.nameEn } : {}),
			questions: old.questions
		};
	}

	/** Make a template at version 1: its head row and its first version, in one transaction. */
	async create(input: {
		id?: string;
		divisionCode: string;
		name: string;
		nameEn?: string;
		questions: Question[];
		by: string;
		at: Date;
	}): Promise<StoredTemplate> {
		const row: TemplateRow = {
			id: input.id ?? crypto.randomUUID(),
			divisionCode: input.divisionCode,
			name: input.name,
			nameEn: input.nameEn ?? null,
			version: 1,
			questions: input.questions,
			createdBy: input.by,
			createdAt: input.at,
			updatedBy: input.by,
			updatedAt: input.at
		};
		await this.driver.transaction(async (tx) => {
			await tx.insert(this.t.checkTemplates).values(row);
			await tx.insert(this.t.checkTemplateVersions).values({
				templateId: row.id,
				version: 1,
				name: row.name,
				nameEn: row.nameEn,
				questions: row.questions,
				createdBy: input.by,
				createdAt: input.at
			});
		});
		return fromRow(row);
	}

	/**
	 * Change a stored template (docs/check-templates.md): new questions make version n + 1 with
	 * its own version row; a new name alone renames the head and the current version's row.
	 * Conditional on the version read, so of two concurrent changes one wins and the other gets
	 * null (as does a template that does not exist).
	 */
	async update(
		id: string,
		change: { name?: string; nameEn?: string; questions?: Question[] },
		by: string,
		at: Date
	): Promise<{ template: StoredTemplate; versioned: boolean } | null> {
		const c = this.t.checkTemplates;
		const v = this.t.checkTemplateVersions;
		return this.driver.transaction(async (tx) => {
			const [row] = await tx.select().from(c).where(eq(c.id, id)).limit(1);
			if (!row) return null;
			const name = change.name ?? row.name;
			const nameEn = change.nameEn ?? row.nameEn;
			const versioned =
				change.questions !== undefined && !sameQuestions(change.questions, row.questions);
			const questions = versioned ? change.questions! : row.questions;
			const version = versioned ? row.version + 1 : row.version;
			const renamed = name !== row.name || nameEn !== row.nameEn;
			if (!versioned && !renamed) return { template: fromRow(row), versioned: false };
			const next: TemplateRow = {
				...row,
				name,
				nameEn,
				version,
				questions,
				updatedBy: by,
				updatedAt: at
			};
			const written = await tx
				.update(c)
				.set({ name, nameEn, version, questions, updatedBy: by, updatedAt: at })
				.where(and(eq(c.id, id), eq(c.version, row.version)))
				.returning({ id: c.id });
			if (written.length === 0) return null;
			if (versioned)
				await tx.insert(v).values({
					templateId: id,
					version,
					name,
					nameEn,
					questions,
					createdBy: by,
					createdAt: at
				});
			else
				await tx
					.update(v)
					.set({ name, nameEn })
					.where(and(eq(v.templateId, id), eq(v.version, version)));
			return { template: fromRow(next), versioned };
		});
	}

	/** Every version of a template, newest first; empty when there is no such template. */
	async versions(id: string): Promise<TemplateVersionEntry[]> {
		const fixed = shippedTemplate(id);
		if (fixed)
			return [{ version: fixed.version, name: fixed.name, createdAt: null, createdBy: null }];
		const v = this.t.checkTemplateVersions;
		const rows = await this.db
			.select({ version: v.version, name: v.name, createdAt: v.createdAt, createdBy: v.createdBy })
			.from(v)
			.where(eq(v.templateId, id))
			.orderBy(desc(v.version));
		return rows;
	}

	/** Names of template versions by "id@version", for rounds (shipped ones included). */
	async versionNames(pairs: { id: string; version: number }[]): Promise<Map<string, string>> {
		const out = new Map<string, string>();
		const stored: string[] = [];
		for (const p of pairs) {
			const fixed = shippedTemplate(p.id, p.version);
			if (fixed) out.set(`${p.id}@${p.version}`, fixed.name);
			else stored.push(p.id);
		}
		if (stored.length === 0) return out;
		const v = this.t.checkTemplateVersions;
		const rows = await this.db
			.select({ id: v.templateId, version: v.version, name: v.name })
			.from(v)
			.where(inArray(v.templateId, [...new Set(stored)]));
		for (const r of rows) out.set(`${r.id}@${r.version}`, r.name);
		return out;
	}
}

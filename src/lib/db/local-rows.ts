// How a local change shows in the cached rows before the server has it: the row a new record
// becomes, the row fields an update touches, and the overlay that keeps a local edit on screen
// while pulls keep the server's value of the same field aside (db.ts `serverValues`).
import type { z } from 'zod';
import { dueAt } from '$lib/domain/incident';
import { isAbnormalVisit } from '$lib/domain/visit';
import type { SyncTable } from '$lib/shared/enums';
import { maskIdNumber } from '$lib/shared/mask';
import { describeIssue, INSERT_FIELDS, UPDATE_FIELDS } from '$lib/shared/schemas';
import { storedAnswers, type TemplateVersion } from '$lib/shared/templates';
import type { AnyRow, RowOf, UpdatableTable } from './db';

/** A local change that fails the shared schema; `field` names the offending field. */
export class ValidationError extends Error {
	constructor(
		readonly field: string,
		message: string
	) {
		super(message);
		this.name = 'ValidationError';
	}
}

export type InsertFields<T extends SyncTable> = z.infer<(typeof INSERT_FIELDS)[T]>;
export type UpdateFields<T extends UpdatableTable> = z.infer<(typeof UPDATE_FIELDS)[T]>;

/** Parse with a shared schema; a failure becomes a ValidationError naming the field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
	const result = schema.safeParse(value);
	if (!result.success) {
		const { field, message } = describeIssue(result.error);
		throw new ValidationError(field, message);
	}
	return result.data;
}

/** Validate the fields of an update; an empty change is refused as the server would. */
export function validateUpdate<T extends UpdatableTable>(
	table: T,
	fields: unknown
): UpdateFields<T> {
	const parsed = validate(UPDATE_FIELDS[table], fields) as UpdateFields<T>;
	if (Object.keys(parsed).length === 0)
		throw new ValidationError('fields', 'fields: nothing to change');
	return parsed;
}

/** What the device knows when it creates a row that the server would otherwise fill in. */
export interface InsertContext {
	/** The grid of the parent household or resident, when cached. */
	gridId?: string;
	/** Epoch milliseconds. */
	now: number;
	/** The template version a new visit answers, when this device knows it. */
	template?: TemplateVersion;
}

/** The cached row a new record becomes, shaped like the row a pull will bring. */
export function rowFromInsert<T extends SyncTable>(
	table: T,
	rowId: string,
	fields: InsertFields<T>,
	context: InsertContext
): RowOf[T] {
	return buildRow(table, rowId, fields, context) as RowOf[T];
}

function buildRow(
	table: SyncTable,
	id: string,
	input: unknown,
	context: InsertContext
): RowOf[SyncTable] {
	const gridId = context.gridId === undefined ? {} : { gridId: context.gridId };
	switch (table) {
		case 'households': {
			const f = input as InsertFields<'households'>;
			return {
				id,
				gridId: f.gridId,
				address: f.address,
				tags: f.tags ?? [],
				lat: f.lat ?? null,
				lng: f.lng ?? null
			};
		}
		case 'residents': {
			const f = input as InsertFields<'residents'>;
			return {
				id,
				...gridId,
				householdId: f.householdId,
				name: f.name,
				idNumberMasked: f.idNumber ? maskIdNumber(f.idNumber) : null,
				phone: f.phone ?? null,
				birthYear: f.birthYear ?? null,
				sex: f.sex ?? null,
				relation: f.relation ?? null,
				landline: f.landline ?? null,
				note: f.note ?? null,
				tags: f.tags ?? [],
				dailyCheckIn: f.dailyCheckIn ?? false
			};
		}
		case 'visits': {
			const f = input as InsertFields<'visits'>;
			// Flagged by the rule of the version answered, as the server will store them.
			const answers = context.template
				? storedAnswers(context.template.questions, f.answers ?? [])
				: (f.answers ?? []);
			return {
				id,
				...gridId,
				householdId: f.householdId,
				visitedAt: new Date(f.visitedAt).toISOString(),
				outcome: f.outcome,
				checks: f.checks,
				needs: f.needs ?? [],
				note: f.note ?? null,
				abnormal: isAbnormalVisit(f.checks, answers),
				templateId: f.templateId ?? null,
				templateVersion: f.templateVersion ?? null,
				answers
			};
		}
		case 'checkins': {
			const f = input as InsertFields<'checkins'>;
			return {
				id,
				...gridId,
				residentId: f.residentId,
				at: new Date(f.at).toISOString(),
				status: f.status,
				channel: f.channel,
				needs: f.needs ?? []
			};
		}
		case 'incidents': {
			const f = input as InsertFields<'incidents'>;
			return {
				id,
				gridId: f.gridId,
				householdId: f.householdId ?? null,
				residentId: f.residentId ?? null,
				category: f.category,
				severity: f.severity,
				description: f.description,
				status: f.status,
				// The server sets the real due time on receipt; this estimate orders the list meanwhile.
				dueAt: dueAt(new Date(context.now), f.severity).toISOString()
			};
		}
	}
}

/** The row fields an update's mutation fields set (a full ID number shows only masked). */
export function rowFieldsOfUpdate(
	table: SyncTable,
	fields: Record<string, unknown>
): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [field, value] of Object.entries(fields)) {
		if (table === 'residents' && field === 'idNumber')
			out.idNumberMasked = typeof value === 'string' ? maskIdNumber(value) : null;
		// A move's note goes to the incident's history on the server, never onto the row.
		else if (table === 'incidents' && field === 'note') continue;
		else out[field] = value;
	}
	return out;
}

/** Names of the row fields a mutation's fields set. */
export function rowFieldNames(table: SyncTable, fields: Record<string, unknown>): string[] {
	return Object.keys(rowFieldsOfUpdate(table, fields));
}

/**
 * Show a local edit on the row. The first local edit of a field remembers the value it replaced,
 * which is the server's value as last pulled; later pulls update that remembered value.
 */
export function applyLocalEdit<R extends AnyRow>(row: R, rowFields: Record<string, unknown>): R {
	const serverValues = { ...row.serverValues };
	const next: AnyRow = { ...row };
	for (const [field, value] of Object.entries(rowFields)) {
		if (!(field in serverValues)) serverValues[field] = row[field];
		next[field] = value;
	}
	return withServerValues(next, serverValues) as R;
}

/** Put back the server's value of fields no local change touches any more. */
export function restoreServerValues<R extends AnyRow>(
	row: R,
	stillTouched: ReadonlySet<string>
): R {
	if (!row.serverValues) return row;
	const next: AnyRow = { ...row };
	const serverValues: Record<string, unknown> = {};
	for (const [field, value] of Object.entries(row.serverValues)) {
		if (stillTouched.has(field)) serverValues[field] = value;
		else next[field] = value;
	}
	return withServerValues(next, serverValues) as R;
}

function withServerValues(row: AnyRow, serverValues: Record<string, unknown>): AnyRow {
	if (Object.keys(serverValues).length > 0) return { ...row, serverValues, hasLocalEdits: 1 };
	const { serverValues: _values, hasLocalEdits: _flag, ...rest } = row;
	return rest as AnyRow;
}

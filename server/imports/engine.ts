// The roster import's engine (docs/imports.md, "Matching rows" and "Writing"): the reader's
// records are matched to the community's grids, households and residents, planned in full and
// checked against the shared schemas, and only then written through the one write path in
// chunks, so imported rows get the change log, sealed ID numbers, duplicate flags, device pull
// and roll-up figures exactly as rows a grid worker records.
import { v7 as uuidv7 } from 'uuid';
import type { z } from 'zod';
import { describeIssue, INSERT_FIELDS, UPDATE_FIELDS } from '../../src/lib/shared/schemas';
import { maskLandline, maskName, maskPhone } from '../../src/lib/shared/mask';
import type { RosterHouseholdRow, RosterResidentRow, Store } from '../store/types';
import { refuse, write, writeDenial, type Actor, type BatchOptions } from '../write/index';
import { HEADER_OF, type ColumnKey } from './columns';
import {
	addressKey,
	type ImportOutcome,
	type ProblemCode,
	type RosterColumn,
	type RosterRecord,
	type RowProblem
} from './types';

export interface ImportInput {
	/** The 12-digit code of the community the roster belongs to. */
	communityCode: string;
	/** The reader's records (rows it found no problem in). */
	records: RosterRecord[];
	/** The reader's problems: their rows count as rejected. */
	problems: RowProblem[];
	/** Create the grids the file names that the community does not have. */
	createGrids: boolean;
	/** Plan and count everything, write nothing. */
	dryRun: boolean;
	/** The file's columns, so problems name a column as the file has it (else the canonical header). */
	columns?: RosterColumn[];
}

/** Called after each written chunk: rows written so far, rows to write in all. */
export type ImportProgress = (done: number, total: number) => void;

/** Rows written per transaction (whole households): few commits, yet a short lock. */
export const CHUNK_ROWS = 1000;

/** Stands for a household id not yet chosen while a new resident's fields are checked. */
const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

/** The longest grid name the import creates (as `npx gridcare grid create`). */
const GRID_NAME_MAX = 100;

type ResidentInsert = z.infer<(typeof INSERT_FIELDS)['residents']>;
type ResidentFields = Omit<ResidentInsert, 'householdId'>;

/** A row that passed the first checks, with who it is (when already in GridCare). */
interface RowPlan {
	record: RosterRecord;
	/** The resident the row is, matched by 居民编号, ID number or name in the household. */
	match: RosterResidentRow | null;
	idHash: string | null;
	/** Set for a new resident. */
	insert?: { id: string; fields: ResidentFields };
	/** Set for a matched resident with fields to change. */
	update?: Record<string, unknown>;
}

/** Rows that form one household: by 户编号, or by grid and address. */
interface Group {
	key: string;
	gridId: string;
	address?: string;
	existing: RosterHouseholdRow | null;
	/** The existing household is the one its 户编号 names (an export's GridCare id). */
	named: boolean;
	rows: RowPlan[];
}

interface HouseholdPlan {
	id: string;
	existing: RosterHouseholdRow | null;
	gridId: string;
	address?: string;
	/** A new address for a household its 户编号 names, when the rows write a different one. */
	moved?: string;
	rows: RowPlan[];
}

/** A record's value for each resident field, and the column that holds it. */
const FIELD_COLUMN: Record<string, ColumnKey> = {
	householdId: 'householdNo',
	name: 'name',
	idNumber: 'idNumber',
	phone: 'phone',
	birthYear: 'birthDate',
	sex: 'sex',
	relation: 'relation',
	landline: 'landline',
	note: 'note',
	tags: 'tags',
	gridId: 'grid',
	address: 'address'
};

const nfkc = (text: string) => text.normalize('NFKC').trim();
const sameTags = (a: readonly string[], b: readonly string[]) =>
	a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/**
 * Match the records to the community's grids, households and residents, check every row, and
 * (unless a dry run) write the households and residents in chunks through the write path.
 * Refuses (`missing`) an unknown community, and (`forbidden`) when the actor may not write a grid
 * the import touches; both before anything is written.
 */
export async function importRoster(
	store: Store,
	actor: Actor,
	input: ImportInput,
	clock: BatchOptions,
	onProgress?: ImportProgress
): Promise<ImportOutcome> {
	const { communityCode } = input;
	const problems: RowProblem[] = [...input.problems];
	const rejected = new Set(input.problems.map((p) => p.row));
	const headerOf = (field: ColumnKey) =>
		input.columns?.find((c) => c.field === field)?.header ?? HEADER_OF[field];
	const problem = (row: number, field: ColumnKey, code: ProblemCode, message: string) => {
		problems.push({ row, column: headerOf(field), field, code, message });
		rejected.add(row);
	};

	const division = await store.getDivision(communityCode);
	if (division?.level !== 'community')
		refuse(`community: no community with code ${communityCode}`, 'missing');
	const [grids, roster, ids] = await Promise.all([
		store.gridsOfCommunity(communityCode),
		store.communityRoster(communityCode),
		store.idProtection()
	]);
	const gridByName = new Map(grids.map((g) => [nfkc(g.name), g]));
	const newGrids = new Map<string, { id: string; name: string }>();
	const householdById = new Map(roster.households.map((h) => [h.id, h]));
	const householdsByAddress = new Map<string, RosterHouseholdRow[]>();
	for (const h of roster.households) {
		const key = `${h.gridId}\u0000${addressKey(h.address)}`;
		const list = householdsByAddress.get(key);
		if (list) list.push(h);
		else householdsByAddress.set(key, [h]);
	}
	const residentById = new Map(roster.residents.map((r) => [r.id, r]));
	const residentByHash = new Map<string, RosterResidentRow>();
	const residentsOfHousehold = new Map<string, RosterResidentRow[]>();
	for (const r of roster.residents) {
		if (r.idHash && !residentByHash.has(r.idHash)) residentByHash.set(r.idHash, r);
		const list = residentsOfHousehold.get(r.householdId);
		if (list) list.push(r);
		else residentsOfHousehold.set(r.householdId, [r]);
	}

	// ---- 1. Who each row is, its grid and its household's key, in row order ------------------
	/** Person keys (resident id, ID hash, name in a household) → the first row holding them. */
	const seen = new Map<string, number>();
	const groups = new Map<string, Group>();
	const records = [...input.records].sort((a, b) => a.row - b.row);
	for (const record of records) {
		const { row } = record;
		let match: RosterResidentRow | null = null;
		if (record.residentId) {
			match = residentById.get(record.residentId) ?? null;
			if (!match) {
				problem(row, 'residentId', 'unknown_id', '本社区没有这个居民编号的居民');
				continue;
			}
		}
		const idHash = record.idNumber ? ids.hash(record.idNumber) : null;
		if (!match && idHash) match = residentByHash.get(idHash) ?? null;

		const personKeys = [match && `r:${match.id}`, idHash && `h:${idHash}`].filter(
			(k): k is string => !!k
		);
		const earlier = personKeys.map((k) => seen.get(k)).find((r) => r !== undefined);
		if (earlier !== undefined) {
			const field = record.residentId ? 'residentId' : 'idNumber';
			problem(row, field, 'duplicate_in_file', `与第 ${earlier} 行是同一人`);
			continue;
		}

		// The household a 户编号 names; a registered person's row with neither 户编号 nor address
		// stays in the person's household (a list of changes, not a roster).
		const existing = record.householdNo
			? (householdById.get(record.householdNo) ?? null)
			: !record.address && match
				? (householdById.get(match.householdId) ?? null)
				: null;
		const gridId = existing?.gridId ?? gridOfRow(record, match);
		if (!gridId) continue;
		let key: string;
		if (existing) key = `id:${existing.id}`;
		else if (record.householdNo) key = `no:${nfkc(record.householdNo)}`;
		else if (record.address) key = `addr:${gridId}\u0000${addressKey(record.address)}`;
		else {
			problem(row, 'address', 'required', '缺少地址或户编号');
			continue;
		}
		for (const k of personKeys) seen.set(k, row);
		let group = groups.get(key);
		if (!group) groups.set(key, (group = { key, gridId, existing, named: false, rows: [] }));
		if (record.householdNo && existing) group.named = true;
		group.address ??= record.address;
		group.rows.push({ record, match, idHash });
	}

	/** The grid a row names (or the community's only grid); null with a problem when none. */
	function gridOfRow(record: RosterRecord, match: RosterResidentRow | null): string | null {
		if (record.grid) {
			const name = nfkc(record.grid);
			const grid = gridByName.get(name);
			if (grid) return grid.id;
			if (input.createGrids) {
				if (name.length > GRID_NAME_MAX) {
					problem(record.row, 'grid', 'text', `网格名称不能超过 ${GRID_NAME_MAX} 个字`);
					return null;
				}
				let planned = newGrids.get(name);
				if (!planned) newGrids.set(name, (planned = { id: uuidv7(), name }));
				return planned.id;
			}
			problem(record.row, 'grid', 'unknown_grid', `本社区没有名为“${name}”的网格`);
			return null;
		}
		if (match) return match.gridId;
		if (grids.length === 1) return grids[0].id;
		problem(
			record.row,
			'grid',
			'required',
			grids.length === 0 ? '本社区还没有网格，请填写网格' : '本社区有多个网格，请填写网格'
		);
		return null;
	}

	// ---- 2. Each group's household: named by 户编号, an existing one at the address, or new ----
	const households = new Map<string, HouseholdPlan>();
	const claimed = new Set<string>();
	for (const group of groups.values()) {
		let household = group.existing;
		if (!household && group.address) {
			const candidates =
				householdsByAddress.get(`${group.gridId}\u0000${addressKey(group.address)}`) ?? [];
			// The one holding most of the group's people, else one no other group took.
			const held = (h: RosterHouseholdRow) =>
				group.rows.filter((r) => r.match?.householdId === h.id).length;
			household =
				[...candidates].sort((a, b) => held(b) - held(a)).find((h) => held(h) > 0) ??
				candidates.find((h) => !claimed.has(h.id)) ??
				null;
		}
		if (!household && !group.address) {
			for (const r of group.rows) problem(r.record.row, 'address', 'required', '缺少地址');
			continue;
		}
		const id = household?.id ?? uuidv7();
		claimed.add(id);
		// An export's household whose address was edited in the file moves to that address.
		const moved =
			household &&
			group.named &&
			group.address &&
			addressKey(group.address) !== addressKey(household.address)
				? group.address
				: undefined;
		const plan = households.get(id);
		if (plan) {
			plan.rows.push(...group.rows);
			plan.moved ??= moved;
		} else
			households.set(id, {
				id,
				existing: household,
				gridId: household?.gridId ?? group.gridId,
				address: household?.address ?? group.address,
				moved,
				rows: group.rows
			});
	}

	// ---- 3. Each row: name matches, other households, masks, changes, checked by the schemas ----
	let unchanged = 0;
	const claimedBy = new Map<string, number>();
	for (const [k, row] of seen) if (k.startsWith('r:')) claimedBy.set(k.slice(2), row);
	for (const h of households.values()) {
		h.rows.sort((a, b) => a.record.row - b.record.row);
		for (const plan of h.rows) {
			const { record } = plan;
			const { row } = record;
			const nameKey = record.name ? `n:${h.id}\u0000${nfkc(record.name)}` : null;
			if (!plan.match && !record.idNumber && record.name && h.existing) {
				// Without an ID number, the same name in the same household is the same person.
				const named = (residentsOfHousehold.get(h.id) ?? []).filter(
					(r) => nfkc(r.name) === nfkc(record.name!)
				);
				const free = named.find((r) => !claimedBy.has(r.id));
				if (free) {
					plan.match = free;
					claimedBy.set(free.id, row);
				} else if (named.length) {
					problem(
						row,
						'name',
						'duplicate_in_file',
						`与第 ${claimedBy.get(named[0].id)} 行是同一人`
					);
					continue;
				}
			}
			if (!plan.match && !record.idNumber && nameKey && seen.has(nameKey)) {
				problem(row, 'name', 'duplicate_in_file', `与第 ${seen.get(nameKey)} 行是同一人`);
				continue;
			}
			if (nameKey && !seen.has(nameKey)) seen.set(nameKey, row);

			const match = plan.match;
			if (match && match.householdId !== h.id) {
				problem(
					row,
					record.residentId ? 'residentId' : record.idNumber ? 'idNumber' : 'name',
					'other_household',
					'此人已登记在本社区的另一户，请核对户编号或地址'
				);
				continue;
			}
			if (match) {
				if (!maskedUnchanged(record, match)) continue;
				const changes = changedFields(record, plan.idHash, match);
				if (Object.keys(changes).length === 0) {
					unchanged++;
					continue;
				}
				const parsed = UPDATE_FIELDS.residents.safeParse(changes);
				if (!parsed.success) {
					refused(row, parsed.error);
					continue;
				}
				plan.update = parsed.data;
			} else {
				if (record.masked && Object.keys(record.masked).length) {
					const field = Object.keys(record.masked)[0] as ColumnKey;
					problem(row, field, 'masked', '新登记的居民不能填写脱敏值（带 * 号），请填写完整信息');
					continue;
				}
				if (!record.name) {
					problem(row, 'name', 'required', '缺少姓名');
					continue;
				}
				const fields = residentFieldsOf(record);
				const parsed = INSERT_FIELDS.residents.safeParse({
					householdId: PLACEHOLDER_ID,
					...fields
				});
				if (!parsed.success) {
					refused(row, parsed.error);
					continue;
				}
				const { householdId: _placeholder, ...checked } = parsed.data;
				void _placeholder;
				plan.insert = { id: uuidv7(), fields: checked };
			}
		}
	}

	/** A masked cell equal to the stored value's mask means "unchanged"; else a `masked` problem. */
	function maskedUnchanged(record: RosterRecord, match: RosterResidentRow): boolean {
		const masked = record.masked ?? {};
		const checks: [ColumnKey, string | undefined, string | null][] = [
			['name', masked.name, maskName(match.name)],
			['idNumber', masked.idNumber, match.idNumberMasked],
			['phone', masked.phone, match.phone && maskPhone(match.phone)],
			['landline', masked.landline, match.landline && maskLandline(match.landline)]
		];
		for (const [field, cell, stored] of checks)
			if (cell !== undefined && cell !== stored) {
				problem(
					record.row,
					field,
					'masked',
					'脱敏值与系统中的不一致，请填写完整信息或保留导出时的值'
				);
				return false;
			}
		return true;
	}

	function refused(row: number, error: z.ZodError) {
		const { field, message } = describeIssue(error);
		const column = FIELD_COLUMN[field.split('.')[0]] ?? 'name';
		problem(row, column, 'refused', `不能写入：${message}`);
	}

	// ---- 4. Households: created for their new residents; tags gained, an address changed -------
	interface HouseholdWrite {
		plan: HouseholdPlan;
		insert?: z.infer<(typeof INSERT_FIELDS)['households']>;
		patch?: { tags?: string[]; address?: string };
	}
	const writes: HouseholdWrite[] = [];
	for (const h of households.values()) {
		const accepted = h.rows.filter((r) => !rejected.has(r.record.row));
		const tags = new Set(accepted.flatMap((r) => r.record.tags ?? []));
		const w: HouseholdWrite = { plan: h };
		if (!h.existing) {
			if (!accepted.some((r) => r.insert)) continue;
			const parsed = INSERT_FIELDS.households.safeParse({
				gridId: h.gridId,
				address: h.address,
				tags: [...tags]
			});
			if (!parsed.success) {
				for (const r of accepted) refused(r.record.row, parsed.error);
				continue;
			}
			w.insert = parsed.data;
		} else {
			const missing = [...tags].filter((t) => !h.existing!.tags.includes(t));
			const patch: Record<string, unknown> = {};
			if (missing.length) patch.tags = [...h.existing.tags, ...missing];
			if (h.moved && accepted.length) patch.address = h.moved;
			if (Object.keys(patch).length) {
				const parsed = UPDATE_FIELDS.households.safeParse(patch);
				if (!parsed.success) {
					for (const r of accepted) refused(r.record.row, parsed.error);
					continue;
				}
				w.patch = parsed.data;
			}
		}
		if (w.insert || w.patch || accepted.some((r) => r.insert || r.update)) writes.push(w);
	}

	const accepted = (r: RowPlan) => !rejected.has(r.record.row);
	const summary = { households: 0, residents: 0, updated: 0, rejected: 0 };
	for (const w of writes) {
		if (w.insert) summary.households++;
		for (const r of w.plan.rows.filter(accepted)) {
			if (r.insert) summary.residents++;
			if (r.update) summary.updated++;
		}
	}
	summary.rejected = rejected.size;
	const usedGrids = new Set(writes.map((w) => w.plan.gridId));
	const created = [...newGrids.values()].filter((g) => usedGrids.has(g.id));
	problems.sort((a, b) => a.row - b.row);
	const outcome: ImportOutcome = {
		summary,
		unchanged,
		problems,
		gridsCreated: created.map((g) => g.name)
	};

	// ---- 5. Writing, in chunks of about CHUNK_ROWS rows ---------------------------------------
	const retired = new Set(grids.filter((g) => g.retiredAt).map((g) => g.id));
	if (actor.role !== 'system')
		for (const gridId of usedGrids) {
			const grid = { id: gridId, communityCode, retired: retired.has(gridId) };
			const denial = writeDenial(actor, grid, 'households');
			if (denial) refuse(denial, 'forbidden');
		}
	if (input.dryRun || writes.length === 0) return outcome;

	for (const g of created) await store.createGrid({ id: g.id, communityCode, name: g.name });

	// Chunks of whole households: about CHUNK_ROWS residents each, a household never apart from
	// its residents, so a chunk the database refuses leaves no household without its people.
	const chunks: { writes: HouseholdWrite[]; rows: number }[] = [];
	let current: { writes: HouseholdWrite[]; rows: number } = { writes: [], rows: 0 };
	for (const w of writes) {
		current.writes.push(w);
		current.rows += w.plan.rows.filter((r) => accepted(r) && (r.insert || r.update)).length;
		if (current.rows >= CHUNK_ROWS) {
			chunks.push(current);
			current = { writes: [], rows: 0 };
		}
	}
	if (current.writes.length) chunks.push(current);

	const total = summary.residents + summary.updated;
	let done = 0;
	for (const chunk of chunks) {
		await write(store, actor, clock, async (batch) => {
			const residentIds: string[] = [];
			for (const w of chunk.writes)
				for (const r of w.plan.rows)
					if (accepted(r) && (r.insert || r.update)) residentIds.push(r.insert?.id ?? r.match!.id);
			await batch.prefetch({
				households: chunk.writes.map((w) => w.plan.id),
				residents: residentIds,
				grids: new Set(chunk.writes.map((w) => w.plan.gridId))
			});
			for (const w of chunk.writes) {
				const { plan } = w;
				if (w.insert) await batch.insert('households', plan.id, w.insert);
				else if (w.patch)
					await batch.patch('households', plan.id, w.patch, {
						baseVersion: plan.existing!.version,
						mutationId: uuidv7()
					});
				for (const r of plan.rows) {
					if (!accepted(r)) continue;
					if (r.insert)
						await batch.insert('residents', r.insert.id, {
							householdId: plan.id,
							...r.insert.fields
						});
					else if (r.update)
						await batch.patch('residents', r.match!.id, r.update, {
							baseVersion: r.match!.version,
							mutationId: uuidv7()
						});
				}
			}
		});
		done += chunk.rows;
		onProgress?.(done, total);
		// Between two transactions, let the server answer other requests (SQLite's driver is
		// synchronous): pushes, and the import screen asking how far the commit has come.
		await new Promise((resolve) => setImmediate(resolve));
	}
	return outcome;
}

/** A new resident's fields from a record: only what the row holds. */
function residentFieldsOf(record: RosterRecord): ResidentFields {
	const fields: Record<string, unknown> = { name: record.name };
	for (const key of [
		'idNumber',
		'phone',
		'birthYear',
		'sex',
		'relation',
		'landline',
		'note'
	] as const)
		if (record[key] !== undefined && record[key] !== '') fields[key] = record[key];
	if (record.tags?.length) fields.tags = [...new Set(record.tags)];
	return fields as ResidentFields;
}

/** The fields of a matched resident a row changes: its non-empty cells that differ. */
function changedFields(
	record: RosterRecord,
	idHash: string | null,
	match: RosterResidentRow
): Record<string, unknown> {
	const changes: Record<string, unknown> = {};
	if (record.name && record.name !== match.name) changes.name = record.name;
	if (record.idNumber && idHash !== match.idHash) changes.idNumber = record.idNumber;
	for (const key of ['phone', 'birthYear', 'sex', 'relation', 'landline', 'note'] as const) {
		const value = record[key];
		if (value !== undefined && value !== '' && value !== match[key]) changes[key] = value;
	}
	if (record.tags?.length && !sameTags([...new Set(record.tags)], match.tags))
		changes.tags = [...new Set(record.tags)];
	return changes;
}

// Property test of push with arbitrary Unicode in every text field, on both databases: no answer
// is a server error, a mutation with text no database can store is rejected naming a field,
// every other mutation of the batch applies, and what applied reads back as it was sent.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, foldChanges, testApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const uuid = () => crypto.randomUUID();

/** Every control character, both ends of the surrogate range alone, and some neighbours that are fine. */
const SPECIALS = [
	...Array.from({ length: 0x20 }, (_, c) => String.fromCharCode(c)),
	'\u007f',
	'\ud800',
	'\udbff',
	'\udc00',
	'\udfff',
	'\ud83d\ude00',
	'\u0080',
	'\u2028',
	'\ufeff',
	' '
];

/** Strings mixing arbitrary code units, arbitrary code points, plain text and the specials. */
const text = fc
	.array(
		fc.oneof(
			fc.string({ unit: 'binary', maxLength: 4 }),
			fc.string({ unit: 'grapheme', maxLength: 4 }),
			fc.string({
				unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
				maxLength: 3
			}),
			fc.constantFrom('民生路', '黄桂英', 'note', '咳嗽'),
			fc.constantFrom(...SPECIALS)
		),
		{ maxLength: 5 }
	)
	.map((parts) => parts.join(''));
const texts = fc.array(text, { maxLength: 3 });

// The rules, written independently of the shared schemas: control characters are U+0000–U+001F
// and U+007F (tab and newline allowed in multi-line fields); strings must be well-formed UTF-16.
const storable = (s: string, multiline = false) =>
	s.isWellFormed() &&
	![...s].some((ch) => {
		const c = ch.codePointAt(0)!;
		if (multiline && (c === 0x09 || c === 0x0a)) return false;
		return c < 0x20 || c === 0x7f;
	});
const oneLine = (max: number) => (s: string) =>
	storable(s) && s.trim().length >= 1 && s.trim().length <= max;
const tag = oneLine(32);

interface Case {
	table: string;
	op: 'insert' | 'update';
	/** The row updated; inserts get a fresh id each time the case runs (shrinking runs it again). */
	rowId?: string;
	fields: Record<string, unknown>;
	/** Text fields whose value no rule allows. */
	invalid: string[];
	/** What the row reads back as, when applied (inserts only). */
	expected?: Record<string, unknown>;
}

const check = (rules: Record<string, boolean>) =>
	Object.entries(rules)
		.filter(([, ok]) => !ok)
		.map(([field]) => field);

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`push with arbitrary text (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let worker: ApiClient;
		const household = uuid();
		const resident = uuid();
		const incident = uuid();
		const versions: Record<string, number> = {};

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			worker = await new ApiClient(testApp(db.store)).login('worker_a1');
			const results = await worker.push([
				{
					id: uuid(),
					table: 'households',
					op: 'insert',
					rowId: household,
					fields: { gridId: fx.grids.a1, address: '民生路1号' }
				},
				{
					id: uuid(),
					table: 'residents',
					op: 'insert',
					rowId: resident,
					fields: { householdId: household, name: '黄桂英' }
				},
				{
					id: uuid(),
					table: 'incidents',
					op: 'insert',
					rowId: incident,
					fields: {
						gridId: fx.grids.a1,
						category: 'other',
						severity: 'low',
						description: '路灯坏了',
						status: 'reported'
					}
				}
			]);
			expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
			[versions[household], versions[resident], versions[incident]] = results.map(
				(r) => r.version!
			);
		});
		afterAll(async () => db.dispose());

		const cases: fc.Arbitrary<Case>[] = [
			fc.record({ address: text, tags: texts }).map(({ address, tags }) => ({
				table: 'households',
				op: 'insert',
				fields: { gridId: fx.grids.a1, address, tags },
				invalid: check({ address: oneLine(200)(address), tags: tags.every(tag) }),
				expected: { address: address.trim(), tags: tags.map((t) => t.trim()) }
			})),
			fc.record({ address: text, tags: texts }).map(({ address, tags }) => ({
				table: 'households',
				op: 'update',
				rowId: household,
				fields: { address, tags },
				invalid: check({ address: oneLine(200)(address), tags: tags.every(tag) })
			})),
			fc.record({ name: text, tags: texts }).map(({ name, tags }) => ({
				table: 'residents',
				op: 'insert',
				fields: { householdId: household, name, tags },
				invalid: check({ name: oneLine(64)(name), tags: tags.every(tag) }),
				expected: { name: name.trim(), tags: tags.map((t) => t.trim()) }
			})),
			fc.record({ name: text, tags: texts }).map(({ name, tags }) => ({
				table: 'residents',
				op: 'update',
				rowId: resident,
				fields: { name, tags },
				invalid: check({ name: oneLine(64)(name), tags: tags.every(tag) })
			})),
			fc.record({ note: text, needs: texts, symptoms: texts }).map(({ note, needs, symptoms }) => ({
				table: 'visits',
				op: 'insert',
				fields: {
					householdId: household,
					visitedAt: new Date().toISOString(),
					outcome: 'visited',
					checks: [{ residentId: resident, symptoms }],
					needs,
					note
				},
				invalid: check({
					note: storable(note, true),
					needs: needs.every(tag),
					checks: symptoms.every(tag)
				}),
				expected: {
					note,
					needs: needs.map((t) => t.trim()),
					checks: [{ residentId: resident, symptoms: symptoms.map((t) => t.trim()) }]
				}
			})),
			texts.map((needs) => ({
				table: 'checkins',
				op: 'insert',
				fields: {
					residentId: resident,
					at: new Date().toISOString(),
					status: 'fine',
					channel: 'worker',
					needs
				},
				invalid: check({ needs: needs.every(tag) }),
				expected: { needs: needs.map((t) => t.trim()) }
			})),
			text.map((description) => ({
				table: 'incidents',
				op: 'insert',
				fields: {
					gridId: fx.grids.a1,
					category: 'other',
					severity: 'low',
					description,
					status: 'reported'
				},
				invalid: check({
					description:
						storable(description, true) &&
						description.trim().length >= 1 &&
						description.trim().length <= 2000
				}),
				expected: { description: description.trim() }
			})),
			text.map((description) => ({
				table: 'incidents',
				op: 'update',
				rowId: incident,
				fields: { description },
				invalid: check({
					description:
						storable(description, true) &&
						description.trim().length >= 1 &&
						description.trim().length <= 2000
				})
			}))
		];

		it('never answers 5xx; refuses exactly the unstorable text, naming the field; applies the rest once', async () => {
			let cursor: string | undefined = (await worker.pullAll()).cursor;
			await fc.assert(
				fc.asyncProperty(
					fc.array(fc.oneof(...cases), { minLength: 1, maxLength: 6 }),
					async (batch) => {
						const rowIds = batch.map((c) => c.rowId ?? uuid());
						const mutations = batch.map((c, i) => ({
							id: uuid(),
							table: c.table,
							op: c.op,
							rowId: rowIds[i],
							...(c.rowId ? { baseVersion: versions[c.rowId] } : {}),
							fields: c.fields
						}));
						const res = await worker.request('/sync/push', {
							method: 'POST',
							body: JSON.stringify({ deviceId: worker.deviceId, mutations })
						});
						expect(res.status).toBe(200);
						const { results } = (await res.json()) as {
							results: { status: string; reason?: string }[];
						};
						for (const [i, c] of batch.entries()) {
							const result = results[i];
							if (c.invalid.length === 0) {
								expect(result, JSON.stringify(c.fields)).toMatchObject({ status: 'applied' });
								continue;
							}
							expect(result.status, JSON.stringify(c.fields)).toBe('rejected');
							// The reason names one of the fields holding unstorable text.
							const named = /^fields\.(\w+)(\.[\w.]+)?: ./s.exec(result.reason ?? '');
							expect(named?.[1], result.reason).toBeDefined();
							expect(c.invalid).toContain(named![1]);
						}
						// A replay changes nothing: applied ones are duplicates, refused ones refused again.
						const replay = await worker.push(mutations);
						expect(replay.map((r) => r.status)).toEqual(
							results.map((r) => (r.status === 'applied' ? 'duplicate' : 'rejected'))
						);
						// What applied reads back as it was sent; nothing refused reached the change log.
						const page = await worker.pullAll(cursor);
						cursor = page.cursor;
						const rows = foldChanges(page.changes);
						for (const [i, c] of batch.entries()) {
							if (c.op !== 'insert') continue;
							if (results[i].status !== 'applied') {
								expect(rows.has(rowIds[i])).toBe(false);
								continue;
							}
							expect(rows.get(rowIds[i])).toMatchObject(c.expected!);
						}
						const inserts = page.changes.filter((change) => change.op === 'insert');
						expect(inserts.map((change) => change.rowId)).toEqual(
							rowIds.filter((_, i) => batch[i].op === 'insert' && results[i].status === 'applied')
						);
					}
				),
				{ numRuns: 40 }
			);
		});
	});
}

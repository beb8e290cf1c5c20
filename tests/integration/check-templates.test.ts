// Check templates (docs/check-templates.md) on both databases: the API (usable at a division,
// versions that move only with the questions, shipped ones read-only, who reads and who
// edits), rounds that pin a version, visits whose answers the server checks and flags, and the
// retention purge of answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeHealthDetails, retentionCutoff } from '../../server/privacy/retention';
import { SHIPPED_TEMPLATES, type Question } from '../../src/lib/shared/templates';
import { ApiClient, foldChanges, testApp, type Change, type TestApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { addPerson, type Person } from './privacy-fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const A = '450102001003';
const B = '450102001004';
const STREET = '450102001';
const COUNTY = '450102';
const DAY = 86_400_000;
const NOW = Date.now();
const uuid = () => crypto.randomUUID();
const WINTER = SHIPPED_TEMPLATES.find((t) => t.name === '独居老人冬季关爱')!;

interface Template {
	id: string;
	version: number;
	name: string;
	nameEn?: string;
	divisionCode: string | null;
	questions: Question[];
	shipped: boolean;
	editable: boolean;
	createdAt?: string;
	updatedAt?: string;
}

interface Round {
	id: string;
	templateId: string | null;
	templateVersion: number | null;
	templateName: string | null;
}

const QUESTIONS: Question[] = [
	{
		key: 'temperature',
		label: '体温',
		kind: 'number',
		perResident: true,
		unit: '°C',
		min: 34,
		max: 43,
		abnormal: { atLeast: 37.3 }
	},
	{
		key: 'gas_smell',
		label: '有燃气异味',
		kind: 'yes_no',
		perResident: false,
		abnormal: { equals: true }
	},
	{ key: 'remark', label: '其他情况', kind: 'text', perResident: false }
];

const today = () => new Date(NOW).toISOString().slice(0, 10);

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`check templates (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let app: TestApp;
		const as: Record<string, ApiClient> = {};

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			app = testApp(db.store);
			for (const name of [
				'head_a',
				'head_b',
				'street',
				'admin',
				'province',
				'county_other',
				'worker_a1',
				'kiosk_a'
			])
				as[name] = await new ApiClient(app).login(name);
		});
		afterAll(async () => db.dispose());

		const post = (who: string, body: unknown) =>
			as[who].request('/check-templates', { method: 'POST', body: JSON.stringify(body) });
		const put = (who: string, id: string, body: unknown) =>
			as[who].request(`/check-templates/${id}`, { method: 'PUT', body: JSON.stringify(body) });
		const make = async (who: string, divisionCode: string, name: string) => {
			const res = await post(who, { name, divisionCode, questions: QUESTIONS });
			expect(res.status, await res.clone().text()).toBe(201);
			return (await res.json()) as Template;
		};
		const list = async (who: string, code: string) => {
			const res = await as[who].request(`/check-templates?code=${code}`);
			expect(res.status).toBe(200);
			return ((await res.json()) as { templates: Template[] }).templates;
		};
		const error = async (res: Response) =>
			(await res.json()) as { error: string; field?: string; message: string };
		const startRound = (who: string, body: Record<string, unknown>) =>
			as[who].request('/rounds', {
				method: 'POST',
				body: JSON.stringify({
					name: '冬季排查',
					startDate: today(),
					dueDate: today(),
					...body
				})
			});

		let own: Template;
		let county: Template;
		let street: Template;
		let sibling: Template;

		it('creates a template at version 1 for whoever may start rounds there, audited', async () => {
			own = await make('head_a', A, '兴宁社区燃气排查');
			expect(own).toMatchObject({
				version: 1,
				divisionCode: A,
				shipped: false,
				editable: true,
				questions: QUESTIONS
			});
			expect(own.createdAt).toBeTruthy();
			county = await make('admin', COUNTY, '兴宁区防汛排查');
			street = await make('street', STREET, '民生街道独居老人走访');
			sibling = await make('head_b', B, '北宁社区排查');
			const audit = await db.store.auditEntries({ communityCode: A, limit: 50 });
			expect(audit.find((e) => e.subjectId === own.id)).toMatchObject({
				action: 'template_create',
				subjectType: 'check_template'
			});
		});

		it('lists at a community the shipped ones first, then those of it and above by name, never a sibling’s', async () => {
			const templates = await list('head_a', A);
			const shipped = SHIPPED_TEMPLATES.map((t) => t.id);
			expect(templates.slice(0, shipped.length).map((t) => t.id)).toEqual(shipped);
			expect(templates.slice(0, shipped.length).every((t) => t.shipped && !t.editable)).toBe(true);
			const made = templates.slice(shipped.length);
			expect(made.map((t) => t.id).sort()).toEqual([own.id, county.id, street.id].sort());
			expect(made.map((t) => t.name)).toEqual(
				[...made.map((t) => t.name)].sort((a, b) => a.localeCompare(b, 'zh-CN'))
			);
			// The head edits their own, reads the county's and the street's.
			expect(Object.fromEntries(made.map((t) => [t.id, t.editable]))).toEqual({
				[own.id]: true,
				[county.id]: false,
				[street.id]: false
			});
			// At the street: the street's and the county's, not the communities'.
			expect(
				(await list('street', STREET))
					.filter((t) => !t.shipped)
					.map((t) => t.id)
					.sort()
			).toEqual([county.id, street.id].sort());
		});

		it('refuses lists outside the caller’s scope (403) and unknown divisions (404)', async () => {
			expect((await as.head_a.request(`/check-templates?code=${B}`)).status).toBe(403);
			expect((await as.county_other.request(`/check-templates?code=${A}`)).status).toBe(403);
			expect((await as.worker_a1.request(`/check-templates?code=${A}`)).status).toBe(403);
			expect((await as.kiosk_a.request(`/check-templates?code=${A}`)).status).toBe(403);
			expect((await as.head_a.request(`/check-templates?code=${STREET}`)).status).toBe(403);
			expect((await as.admin.request('/check-templates?code=450102001099')).status).toBe(404);
			const bad = await as.admin.request('/check-templates?code=4501020');
			expect(bad.status).toBe(400);
			expect((await error(bad)).field).toBe('code');
		});

		it('reads a template: editors, those working below it, officers above it; shipped ones every supervisor', async () => {
			const read = (who: string, id: string) => as[who].request(`/check-templates/${id}`);
			expect((await read('head_a', county.id)).status).toBe(200);
			expect((await read('street', own.id)).status).toBe(200);
			expect((await read('province', own.id)).status).toBe(200);
			expect((await read('head_b', own.id)).status).toBe(403);
			expect((await read('county_other', own.id)).status).toBe(403);
			expect((await read('worker_a1', own.id)).status).toBe(403);
			const shipped = await read('county_other', WINTER.id);
			expect(shipped.status).toBe(200);
			expect((await shipped.json()) as Template).toMatchObject({
				id: WINTER.id,
				version: 1,
				name: WINTER.name,
				divisionCode: null,
				shipped: true,
				editable: false
			});
			const missing = await read('admin', uuid());
			expect(missing.status).toBe(404);
			expect((await error(missing)).message).toMatch(/^id: /);
		});

		it('refuses making or changing a template outside the divisions one may start rounds for', async () => {
			const other = await post('head_a', { name: 'x', divisionCode: B, questions: QUESTIONS });
			expect(other.status).toBe(403);
			expect(
				(await post('head_a', { name: 'x', divisionCode: STREET, questions: QUESTIONS })).status
			).toBe(403);
			expect(
				(await post('worker_a1', { name: 'x', divisionCode: A, questions: QUESTIONS })).status
			).toBe(403);
			expect(
				(await post('admin', { name: 'x', divisionCode: '450102001099', questions: QUESTIONS }))
					.status
			).toBe(404);
			expect((await put('head_a', county.id, { name: '改名' })).status).toBe(403);
			expect((await put('head_b', own.id, { name: '改名' })).status).toBe(403);
			expect((await put('county_other', own.id, { name: '改名' })).status).toBe(403);
			expect((await put('head_a', uuid(), { name: '改名' })).status).toBe(404);
		});

		it('answers 400 naming the field of bad input', async () => {
			const cases: [unknown, string][] = [
				[
					{
						name: 'x',
						divisionCode: A,
						questions: [...QUESTIONS, { ...QUESTIONS[2], key: 'more', abnormal: { equals: true } }]
					},
					'questions.3.abnormal'
				],
				[{ name: '', divisionCode: A, questions: QUESTIONS }, 'name'],
				[{ name: 'x', divisionCode: A, questions: [] }, 'questions'],
				[
					{ name: 'x', divisionCode: A, questions: [QUESTIONS[0], QUESTIONS[0]] },
					'questions.1.key'
				],
				[{ name: 'x', divisionCode: '4501020', questions: QUESTIONS }, 'divisionCode'],
				[{ name: 'x', divisionCode: A, questions: QUESTIONS, version: 3 }, 'version']
			];
			for (const [body, field] of cases) {
				const res = await post('head_a', body);
				expect(res.status, field).toBe(400);
				expect((await error(res)).field).toBe(field);
			}
			const res = await put('head_a', own.id, { divisionCode: B });
			expect(res.status).toBe(400);
			expect((await error(res)).field).toBe('divisionCode');
		});

		it('keeps the version when only the name changes or the questions are the same', async () => {
			const renamed = await put('head_a', own.id, { name: '兴宁社区燃气安全排查', nameEn: 'Gas' });
			expect(renamed.status).toBe(200);
			expect((await renamed.json()) as Template).toMatchObject({
				version: 1,
				name: '兴宁社区燃气安全排查',
				nameEn: 'Gas'
			});
			// The same questions, their fields written in another order.
			const reordered = QUESTIONS.map((q) => Object.fromEntries(Object.entries(q).reverse()));
			const same = await put('head_a', own.id, { questions: reordered });
			expect(((await same.json()) as Template).version).toBe(1);
			const versions = await as.head_a.request(`/check-templates/${own.id}/versions`);
			expect(((await versions.json()) as { versions: unknown[] }).versions).toEqual([
				expect.objectContaining({
					version: 1,
					name: '兴宁社区燃气安全排查',
					createdBy: fx.users.head_a.id,
					createdByName: 'head_a'
				})
			]);
		});

		it('makes version n + 1 when the questions change and keeps every earlier version', async () => {
			const next = [
				...QUESTIONS,
				{
					key: 'alarm',
					label: '装有报警器',
					kind: 'yes_no',
					perResident: false,
					abnormal: { equals: false }
				}
			];
			const res = await put('head_a', own.id, { questions: next });
			expect(res.status).toBe(200);
			const v2 = (await res.json()) as Template;
			expect(v2).toMatchObject({ version: 2, name: '兴宁社区燃气安全排查' });
			expect(v2.questions.map((q) => q.key)).toEqual([
				'temperature',
				'gas_smell',
				'remark',
				'alarm'
			]);
			const v3 = (await (
				await put('street', own.id, { name: '第三版', questions: QUESTIONS })
			).json()) as Template;
			expect(v3).toMatchObject({ version: 3, name: '第三版' });

			const old = (await (
				await as.head_a.request(`/check-templates/${own.id}?version=2`)
			).json()) as Template;
			expect(old).toMatchObject({ version: 2, name: '兴宁社区燃气安全排查' });
			expect(old.questions).toHaveLength(4);
			const current = (await (
				await as.head_a.request(`/check-templates/${own.id}`)
			).json()) as Template;
			expect(current).toMatchObject({ version: 3, name: '第三版', questions: QUESTIONS });
			const none = await as.head_a.request(`/check-templates/${own.id}?version=9`);
			expect(none.status).toBe(404);
			expect((await error(none)).message).toMatch(/^version: /);

			const versions = (await (
				await as.head_a.request(`/check-templates/${own.id}/versions`)
			).json()) as {
				versions: { version: number; name: string; createdBy: string }[];
			};
			expect(versions.versions.map((v) => [v.version, v.name, v.createdBy])).toEqual([
				[3, '第三版', fx.users.street.id],
				[2, '兴宁社区燃气安全排查', fx.users.head_a.id],
				[1, '兴宁社区燃气安全排查', fx.users.head_a.id]
			]);
			const audit = (await db.store.auditEntries({ communityCode: A, limit: 50 }))
				.filter((e) => e.subjectId === own.id)
				.map((e) => e.action);
			expect(audit.filter((a) => a === 'template_update')).toHaveLength(3);
		});

		it('keeps shipped templates read-only: 409 read_only naming id, asking for a copy', async () => {
			const res = await put('admin', WINTER.id, { name: '改' });
			expect(res.status).toBe(409);
			const body = await error(res);
			expect(body).toMatchObject({ error: 'read_only', field: 'id' });
			expect(body.message).toMatch(/copy/);
			const versions = (await (
				await as.head_a.request(`/check-templates/${WINTER.id}/versions`)
			).json()) as {
				versions: unknown[];
			};
			expect(versions.versions).toEqual([
				{ version: 1, name: WINTER.name, createdAt: null, createdBy: null, createdByName: null }
			]);
		});

		describe('rounds with a template', () => {
			let round: Round;

			it('pins the template’s current version; a later edit leaves the round on it', async () => {
				const { cursor } = await as.worker_a1.pullAll();
				const res = await startRound('head_a', { divisionCode: A, templateId: own.id });
				expect(res.status).toBe(201);
				round = (await res.json()) as Round;
				expect(round).toMatchObject({
					templateId: own.id,
					templateVersion: 3,
					templateName: '第三版'
				});

				await put('head_a', own.id, { name: '第四版', questions: QUESTIONS.slice(0, 2) });
				const listed = (await (await as.head_a.request(`/rounds?code=${A}`)).json()) as {
					rounds: Round[];
				};
				expect(listed.rounds.find((r) => r.id === round.id)).toMatchObject({
					templateId: own.id,
					templateVersion: 3,
					templateName: '第三版'
				});

				// The worker's device receives the round with the version it pins.
				const { changes } = await as.worker_a1.pullAll(cursor);
				const pulled = changes.find((c) => c.table === 'rounds' && c.rowId === round.id)!;
				expect(pulled.fields.template).toMatchObject({
					id: own.id,
					version: 3,
					name: '第三版',
					divisionCode: A,
					questions: QUESTIONS
				});
			});

			it('takes a shipped or an ancestor’s template; none gives nulls', async () => {
				const shipped = (await (
					await startRound('street', { divisionCode: STREET, templateId: WINTER.id })
				).json()) as Round;
				expect(shipped).toMatchObject({
					templateId: WINTER.id,
					templateVersion: 1,
					templateName: WINTER.name
				});
				const above = await startRound('head_a', { divisionCode: A, templateId: county.id });
				expect(((await above.json()) as Round).templateVersion).toBe(1);
				const plain = (await (await startRound('head_a', { divisionCode: A })).json()) as Round;
				expect(plain).toMatchObject({
					templateId: null,
					templateVersion: null,
					templateName: null
				});
			});

			it('answers 404 for an unknown template and 400 for one not usable at the division, naming templateId', async () => {
				const unknown = await startRound('head_a', { divisionCode: A, templateId: uuid() });
				expect(unknown.status).toBe(404);
				expect(await error(unknown)).toMatchObject({ field: 'templateId' });
				const elsewhere = await startRound('head_a', { divisionCode: A, templateId: sibling.id });
				expect(elsewhere.status).toBe(400);
				expect(await error(elsewhere)).toMatchObject({ field: 'templateId' });
				const below = await startRound('street', { divisionCode: STREET, templateId: own.id });
				expect(below.status).toBe(400);
				expect(await error(below)).toMatchObject({ field: 'templateId' });
				const bad = await startRound('head_a', { divisionCode: A, templateId: 'x' });
				expect(bad.status).toBe(400);
				expect(await error(bad)).toMatchObject({ field: 'templateId' });
			});
		});

		describe('visits with answers', () => {
			let person: Person;
			let spouse: string;
			let stranger: Person;

			beforeAll(async () => {
				person = await addPerson(as.worker_a1, fx.grids.a1, { name: '黄桂英' });
				stranger = await addPerson(as.worker_a1, fx.grids.a1, { name: '李秀兰' });
				spouse = uuid();
				const [r] = await as.worker_a1.push([
					{
						id: uuid(),
						table: 'residents',
						op: 'insert',
						rowId: spouse,
						fields: { householdId: person.household, name: '陈国强', birthYear: 1950, sex: 'M' }
					}
				]);
				expect(r.status).toBe('applied');
			});

			const visit = (fields: Record<string, unknown>, daysAgo = 0) => ({
				id: uuid(),
				table: 'visits',
				op: 'insert',
				rowId: uuid(),
				fields: {
					householdId: person.household,
					visitedAt: new Date(NOW - daysAgo * DAY).toISOString(),
					outcome: 'visited',
					checks: [],
					...fields
				}
			});
			const pulledVisit = async (rowId: string) => {
				const rows = await db.store.pullChanges({ gridIds: [fx.grids.a1], after: 0, limit: 5000 });
				return foldChanges(
					rows.map((r) => ({
						table: r.tableName,
						op: r.op,
						rowId: r.rowId,
						fields: r.fields,
						version: r.seq
					}))
				).get(rowId)!;
			};

			it('stores each answer with the abnormal flag its rule gives, and the visit abnormal by an answer', async () => {
				const m = visit({
					templateId: own.id,
					templateVersion: 3,
					answers: [
						{ residentId: person.resident, key: 'temperature', value: 38.1 },
						{ residentId: spouse, key: 'temperature', value: 36.4 },
						{ key: 'gas_smell', value: false },
						{ key: 'remark', value: '门口堆放纸箱' }
					]
				});
				const [r] = await as.worker_a1.push([m]);
				expect(r.status, r.reason).toBe('applied');
				const row = await pulledVisit(m.rowId);
				expect(row).toMatchObject({
					templateId: own.id,
					templateVersion: 3,
					abnormal: true,
					checks: []
				});
				expect(row.answers).toEqual([
					{ residentId: person.resident, key: 'temperature', value: 38.1, abnormal: true },
					{ residentId: spouse, key: 'temperature', value: 36.4, abnormal: false },
					{ key: 'gas_smell', value: false, abnormal: false },
					{ key: 'remark', value: '门口堆放纸箱' }
				]);

				const calm = visit({
					templateId: WINTER.id,
					templateVersion: 1,
					answers: [
						{ residentId: person.resident, key: 'health', value: '良好' },
						{ key: 'heating', value: false }
					]
				});
				expect((await as.worker_a1.push([calm]))[0].status).toBe('applied');
				const winter = await pulledVisit(calm.rowId);
				expect(winter.abnormal).toBe(true);
				expect(winter.answers).toEqual([
					{ residentId: person.resident, key: 'health', value: '良好', abnormal: false },
					{ key: 'heating', value: false, abnormal: true }
				]);
			});

			it('refuses every problem of the answers, naming its field', async () => {
				const cases: [Record<string, unknown>, RegExp][] = [
					[{ templateId: own.id, templateVersion: 9, answers: [] }, /^fields\.templateVersion: /],
					[{ templateId: uuid(), templateVersion: 1, answers: [] }, /^fields\.templateVersion: /],
					[{ templateId: sibling.id, templateVersion: 1, answers: [] }, /^fields\.templateId: /],
					[
						{ templateId: own.id, templateVersion: 3, answers: [{ key: 'nope', value: true }] },
						/^fields\.answers\.0\.key: /
					],
					[
						{
							templateId: own.id,
							templateVersion: 3,
							answers: [{ key: 'temperature', value: 36.5 }]
						},
						/^fields\.answers\.0\.residentId: /
					],
					[
						{
							templateId: own.id,
							templateVersion: 3,
							answers: [{ residentId: person.resident, key: 'gas_smell', value: true }]
						},
						/^fields\.answers\.0\.residentId: /
					],
					[
						{
							templateId: own.id,
							templateVersion: 3,
							answers: [{ residentId: stranger.resident, key: 'temperature', value: 36.5 }]
						},
						/^fields\.answers\.0\.residentId: /
					],
					[
						{
							templateId: own.id,
							templateVersion: 3,
							answers: [
								{ key: 'gas_smell', value: true },
								{ key: 'gas_smell', value: false }
							]
						},
						/^fields\.answers\.1\.key: /
					],
					[
						{
							templateId: own.id,
							templateVersion: 3,
							answers: [{ residentId: person.resident, key: 'temperature', value: 50 }]
						},
						/^fields\.answers\.0\.value: /
					],
					[
						{
							templateId: own.id,
							templateVersion: 3,
							answers: [{ key: 'gas_smell', value: false, abnormal: false }]
						},
						/^fields\.answers\.0\.abnormal: /
					],
					[{ templateId: own.id, templateVersion: 3 }, /^fields\.answers: /],
					[{ templateId: own.id, answers: [] }, /^fields\.templateVersion: /],
					[{ answers: [] }, /^fields\.answers: /]
				];
				for (const [fields, reason] of cases) {
					const [r] = await as.worker_a1.push([visit(fields)]);
					expect(r.status, JSON.stringify(fields)).toBe('rejected');
					expect(r.reason).toMatch(reason);
				}
			});

			it('purges answers to { residentId?, key, abnormal? } with the checks, in one change', async () => {
				const old = visit(
					{
						checks: [{ residentId: person.resident, temperature: 36.6 }],
						templateId: own.id,
						templateVersion: 3,
						answers: [
							{ residentId: person.resident, key: 'temperature', value: 37.9 },
							{ key: 'gas_smell', value: false },
							{ key: 'remark', value: '独居，子女在外地' }
						]
					},
					45
				);
				expect((await as.worker_a1.push([old]))[0].status).toBe('applied');
				const { cursor } = await as.worker_a1.pullAll();
				await purgeHealthDetails(db.store, retentionCutoff(new Date(NOW), 30), 'Asia/Shanghai');

				const { changes } = await as.worker_a1.pullAll(cursor);
				const purged = changes.filter((c: Change) => c.rowId === old.rowId);
				expect(purged).toHaveLength(1);
				expect(purged[0]).toMatchObject({ table: 'visits', op: 'update' });
				expect(purged[0].fields).toEqual({
					checks: [{ residentId: person.resident, abnormal: false }],
					answers: [
						{ residentId: person.resident, key: 'temperature', abnormal: true },
						{ key: 'gas_smell', abnormal: false },
						{ key: 'remark' }
					]
				});
				const row = await pulledVisit(old.rowId);
				expect(row.abnormal).toBe(true);
				expect(JSON.stringify(row)).not.toMatch(/子女|37\.9/);
				// Nothing is left to purge.
				expect(
					await purgeHealthDetails(db.store, retentionCutoff(new Date(NOW), 30), 'Asia/Shanghai')
				).toBe(0);
			});
		});
	});
}

import { afterEach, describe, expect, it } from 'vitest';
import { openTestDb } from '$lib/sync/test-support';
import { monthRange } from '$lib/domain/calendar';
import { ROUTINE_TEMPLATE_ID, shippedTemplate, type TemplateVersion } from '$lib/shared/templates';
import type { GridcareDb, IncidentRow, RoundRow } from './db';
import { addHousehold, addResident, recordVisit, reportIncident } from './repositories';
import {
	gridCoverages,
	gridRows,
	householdDetail,
	localCounts,
	outboxView,
	reportedIncidents,
	visitTemplateAt
} from './worker-reads';

const GRID = '0196f1d2-0000-7000-8000-000000000001';
const OTHER_GRID = '0196f1d2-0000-7000-8000-000000000002';
const NOW = new Date(2025, 5, 15, 10, 0).getTime();

let db: GridcareDb;
afterEach(() => db?.close());

async function seed() {
	db = openTestDb({ now: () => NOW });
	const home = await addHousehold(db, {
		gridId: GRID,
		address: '民生路2号',
		tags: ['elderly_alone']
	});
	const next = await addHousehold(db, { gridId: GRID, address: '民生路12号' });
	const away = await addHousehold(db, { gridId: OTHER_GRID, address: '兴宁路1号' });
	const grandma = await addResident(db, { householdId: home.id, name: '陆桂兰', birthYear: 1940 });
	await addResident(db, { householdId: next.id, name: '黄建国', birthYear: 1980 });
	await addResident(db, { householdId: next.id, name: '黄小明', birthYear: 2010 });
	await addResident(db, { householdId: away.id, name: '韦秀英' });
	const visit = await recordVisit(db, {
		householdId: home.id,
		visitedAt: new Date(NOW).toISOString(),
		outcome: 'visited',
		checks: [{ residentId: grandma.id, temperature: 38.2 }]
	});
	await recordVisit(db, {
		householdId: away.id,
		visitedAt: new Date(NOW).toISOString(),
		outcome: 'nobody_home',
		checks: []
	});
	await reportIncident(db, {
		gridId: GRID,
		householdId: home.id,
		category: 'help_request',
		severity: 'medium',
		description: '代购降压药'
	});
	return { home, next, away, grandma, visit };
}

describe('reads for the worker screens', () => {
	it('reads a grid through its indexes: its households, residents, visits, incidents and pending visits', async () => {
		const { home, next } = await seed();
		const rows = await gridRows(db, GRID);
		expect(rows.households.map((h) => h.id).sort()).toEqual([home.id, next.id].sort());
		expect(rows.residents.map((r) => r.name).sort()).toEqual(['陆桂兰', '黄小明', '黄建国']);
		expect(rows.visits).toHaveLength(1);
		expect(rows.visits[0]).toMatchObject({ householdId: home.id, abnormal: true });
		expect(rows.incidents).toHaveLength(1);
		expect([...rows.pendingVisitHouseholds]).toEqual([home.id]);
	});

	it('counts coverage this month and visits today per grid', async () => {
		await seed();
		expect(await gridCoverages(db, [GRID, OTHER_GRID], NOW)).toEqual({
			[GRID]: { households: 2, visitedHouseholds: 1, visitsToday: 1 },
			[OTHER_GRID]: { households: 1, visitedHouseholds: 1, visitsToday: 1 }
		});
		expect(monthRange(new Date(NOW)).from < new Date(NOW).toISOString()).toBe(true);
	});

	it('counts coverage over the running check round, leaving out visits before it', async () => {
		const { next } = await seed();
		// A visit on 1 June is in the month but before a round that starts on 10 June.
		await recordVisit(db, {
			householdId: next.id,
			visitedAt: new Date(2025, 5, 1, 9, 0).toISOString(),
			outcome: 'visited',
			checks: []
		});
		expect((await gridCoverages(db, [GRID], NOW))[GRID].visitedHouseholds).toBe(2);
		await db.rounds.put({
			id: 'round-1',
			divisionCode: '450103001001',
			name: '六月排查',
			startDate: '2025-06-10',
			dueDate: '2025-06-20'
		});
		expect(await gridCoverages(db, [GRID], NOW)).toEqual({
			[GRID]: { households: 2, visitedHouseholds: 1, visitsToday: 1 }
		});
	});

	it('gives a household with members eldest first, visits, open incidents and what is unsynced', async () => {
		const { home, next, visit, grandma } = await seed();
		const detail = await householdDetail(db, home.id);
		expect(detail?.residents.map((r) => r.id)).toEqual([grandma.id]);
		expect(detail?.visits.map((v) => v.id)).toEqual([visit.id]);
		expect(detail?.openIncidents.map((i) => i.description)).toEqual(['代购降压药']);
		expect(detail?.outbox.get(visit.id)).toBe('pending');
		expect(detail?.outbox.get(home.id)).toBe('pending');
		const family = await householdDetail(db, next.id);
		expect(family?.residents.map((r) => r.name)).toEqual(['黄建国', '黄小明']);
		expect(await householdDetail(db, '0196f1d2-0000-7000-8000-00000000ffff')).toBeNull();
	});

	it('lists the outbox with what each change is about, and marks refused ones', async () => {
		const { home } = await seed();
		const first = await db.outbox.orderBy('seq').first();
		await db.outbox.update(first!.seq!, {
			state: 'rejected',
			reason: 'gridId: grid is outside your scope'
		});
		const view = await outboxView(db);
		expect(view.rejected.map((i) => [i.entry.table, i.context])).toEqual([
			['households', home.address]
		]);
		expect(view.pending.map((i) => [i.entry.table, i.context])).toEqual([
			['households', '民生路12号'],
			['households', '兴宁路1号'],
			['residents', '陆桂兰'],
			['residents', '黄建国'],
			['residents', '黄小明'],
			['residents', '韦秀英'],
			['visits', '民生路2号'],
			['visits', '兴宁路1号'],
			['incidents', '民生路2号']
		]);
		expect(await localCounts(db)).toEqual({
			households: 3,
			residents: 4,
			visits: 2,
			incidents: 1,
			checkins: 0
		});
	});

	it('lists what this worker reported, newest first: as pulled, and reported here not yet back', async () => {
		await seed();
		const ME = '0196f1d2-0000-7000-8000-0000000000e1';
		const pulled = (id: string, reportedBy: string, status: IncidentRow['status']) =>
			({
				id,
				version: 3,
				gridId: GRID,
				householdId: null,
				category: 'safety',
				severity: 'low',
				description: `事件 ${id.slice(-2)}`,
				status,
				dueAt: new Date(NOW).toISOString(),
				reportedBy
			}) satisfies IncidentRow;
		await db.incidents.bulkPut([
			pulled('0196f1d2-0000-7000-8000-0000000000a1', ME, 'closed'),
			pulled('0196f1d2-0000-7000-8000-0000000000a2', 'someone-else', 'reported'),
			pulled('0196f1d2-0000-7000-8000-0000000000a3', ME, 'dispatched'),
			{ ...pulled('0196f1d2-0000-7000-8000-0000000000a4', ME, 'in_progress'), gridId: OTHER_GRID }
		]);
		const mine = await reportedIncidents(db, ME, [GRID], 2);
		expect(mine.total).toBe(3);
		// The one reported on this device (no reportedBy until the server answers) is the newest.
		expect(mine.incidents.map((i) => i.description)).toEqual(['代购降压药', '事件 a3']);
		expect(mine.outbox.get(mine.incidents[0].id)).toBe('pending');
		const all = await reportedIncidents(db, ME, [GRID, OTHER_GRID], 10);
		expect(all.incidents.map((i) => i.status)).toEqual([
			'reported',
			'in_progress',
			'dispatched',
			'closed'
		]);
	});
});

describe('the template the visit form asks', () => {
	const FLOOD = shippedTemplate('00000000-0000-4000-8000-000000000003')!;
	const GAS = shippedTemplate('00000000-0000-4000-8000-000000000004')!;
	const round = (
		n: number,
		startDate: string,
		dueDate: string,
		template?: TemplateVersion
	): RoundRow => ({
		id: `0196f1d2-0000-7000-8000-0000000000f${n}`,
		divisionCode: '450103001',
		name: `第 ${n} 轮`,
		startDate,
		dueDate,
		...(template ? { template } : {})
	});

	it('is the routine visit when no round with a template runs today', () => {
		const routine = { template: shippedTemplate(ROUTINE_TEMPLATE_ID), round: null };
		expect(visitTemplateAt(NOW, [])).toEqual(routine);
		// Over, not yet begun, or running without a template.
		expect(
			visitTemplateAt(NOW, [
				round(1, '2025-05-01', '2025-06-14', FLOOD),
				round(2, '2025-06-16', '2025-06-30', FLOOD),
				round(3, '2025-06-01', '2025-06-30')
			])
		).toEqual(routine);
	});

	it('is the template of the round running today, the one started last when several do', () => {
		const flood = round(1, '2025-06-01', '2025-06-30', FLOOD);
		const gas = round(2, '2025-06-10', '2025-06-15', GAS);
		// Its first and last days count.
		expect(visitTemplateAt(NOW, [round(4, '2025-06-15', '2025-06-15', GAS)]).template).toBe(GAS);
		expect(visitTemplateAt(NOW, [flood, gas])).toEqual({ template: GAS, round: gas });
		expect(visitTemplateAt(NOW, [gas, flood])).toEqual({ template: GAS, round: gas });
		// A later round without a template leaves the form to the one that has one.
		expect(visitTemplateAt(NOW, [flood, round(3, '2025-06-14', '2025-06-20')])).toEqual({
			template: FLOOD,
			round: flood
		});
	});

	it('reads the rounds on this device with the household', async () => {
		const { home } = await seed();
		const flood = round(1, '2025-06-01', '2025-06-30', FLOOD);
		await db.rounds.put(flood);
		const detail = await householdDetail(db, home.id);
		expect(detail?.rounds).toEqual([flood]);
		expect(visitTemplateAt(NOW, detail!.rounds).template).toEqual(FLOOD);
	});
});

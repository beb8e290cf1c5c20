import { describe, expect, it } from 'vitest';
import {
	allowedMoves,
	assigneeAfter,
	type AssigneeCandidate,
	canTransition,
	contentEditDenial,
	INCIDENT_MOVES,
	isHandled,
	moveDenial,
	NEXT_STATUSES,
	stageOf
} from './incident';
import { INCIDENT_STATUSES } from '../shared/enums';

const GRID = 'grid-1';
const head = { id: 'head', role: 'community_head' as const };
const worker = { id: 'worker', role: 'grid_worker' as const };
const other = { id: 'other', role: 'grid_worker' as const };
const workerCandidate: AssigneeCandidate = { role: 'grid_worker', scope: [GRID], disabled: false };

const incident = (
	status: (typeof INCIDENT_STATUSES)[number],
	assigneeId: string | null = null
) => ({
	status,
	assigneeId,
	reportedBy: 'worker',
	gridId: GRID
});

describe('incident move table', () => {
	it('gives the closed loop its legal next states, and nothing leaves "closed"', () => {
		expect(NEXT_STATUSES).toEqual({
			reported: ['accepted'],
			accepted: ['dispatched', 'in_progress'],
			dispatched: ['in_progress'],
			in_progress: ['resolved'],
			resolved: ['in_progress', 'verified'],
			verified: ['closed'],
			closed: []
		});
		for (const from of INCIDENT_STATUSES)
			for (const to of INCIDENT_STATUSES)
				expect(canTransition(from, to)).toBe(
					INCIDENT_MOVES.some((m) => m.from === from && m.to === to)
				);
	});

	it('lets the head accept, dispatch, handle directly, verify, close and send back', () => {
		const moves = (status: (typeof INCIDENT_STATUSES)[number]) =>
			allowedMoves(head, incident(status)).map((m) => m.to);
		expect(moves('reported')).toEqual(['accepted']);
		expect(moves('accepted')).toEqual(['dispatched', 'in_progress']);
		expect(moves('dispatched')).toEqual([]);
		expect(moves('in_progress')).toEqual([]);
		expect(moves('resolved')).toEqual(['in_progress', 'verified']);
		expect(moves('verified')).toEqual(['closed']);
	});

	it('lets the assigned worker take up and finish the work, and nobody else', () => {
		expect(allowedMoves(worker, incident('dispatched', 'worker')).map((m) => m.to)).toEqual([
			'in_progress'
		]);
		expect(allowedMoves(worker, incident('in_progress', 'worker')).map((m) => m.to)).toEqual([
			'resolved'
		]);
		expect(allowedMoves(other, incident('dispatched', 'worker'))).toEqual([]);
		expect(allowedMoves(worker, incident('reported', 'worker'))).toEqual([]);
		expect(allowedMoves(worker, incident('resolved', 'worker'))).toEqual([]);
		// A kiosk or an officer is never the head, and is never dispatched to (only grid workers are).
		for (const role of ['kiosk', 'volunteer', 'street_officer', 'province_officer'] as const)
			for (const status of INCIDENT_STATUSES)
				expect(allowedMoves({ id: 'x', role }, incident(status, 'worker'))).toEqual([]);
	});

	it('makes the head who handles it directly its assignee, so the head can resolve it', () => {
		const change = { to: 'in_progress' as const };
		expect(moveDenial(head, incident('accepted'), change, null)).toBeNull();
		expect(assigneeAfter(head, incident('accepted'), change)).toBe('head');
		expect(moveDenial(head, incident('in_progress', 'head'), { to: 'resolved' }, null)).toBeNull();
		// Not when a worker handles it.
		expect(moveDenial(head, incident('in_progress', 'worker'), { to: 'resolved' }, null)).toEqual({
			kind: 'forbidden',
			field: 'status',
			message: '"in_progress" → "resolved" is made by the assigned person'
		});
	});

	it('requires a grid worker of the grid to dispatch to, and a reason to send back', () => {
		const dispatch = (assigneeId: string | undefined, candidate = workerCandidate) =>
			moveDenial(head, incident('accepted'), { to: 'dispatched', assigneeId }, candidate);
		expect(dispatch('worker')).toBeNull();
		expect(dispatch(undefined)?.field).toBe('assigneeId');
		expect(dispatch('worker', { ...workerCandidate, scope: ['grid-2'] })?.field).toBe('assigneeId');
		expect(dispatch('worker', { ...workerCandidate, role: 'community_head' })?.kind).toBe(
			'invalid'
		);
		expect(dispatch('worker', { ...workerCandidate, disabled: true })?.kind).toBe('invalid');
		expect(
			moveDenial(head, incident('accepted'), { to: 'in_progress', assigneeId: 'worker' }, null)
				?.field
		).toBe('assigneeId');
		expect(moveDenial(head, incident('resolved'), { to: 'in_progress' }, null)?.field).toBe('note');
		expect(
			moveDenial(head, incident('resolved'), { to: 'in_progress', note: '  ' }, null)?.field
		).toBe('note');
		expect(
			moveDenial(head, incident('resolved'), { to: 'in_progress', note: '照片不清楚' }, null)
		).toBeNull();
		expect(moveDenial(head, incident('closed'), { to: 'in_progress' }, null)?.kind).toBe('illegal');
	});

	it('lets the reporter change the content until it is accepted, then only the head', () => {
		expect(contentEditDenial(worker, incident('reported'))).toBeNull();
		expect(contentEditDenial(worker, incident('accepted'))).toMatch(/until it is accepted/);
		expect(contentEditDenial(other, incident('reported'))).toMatch(/only its reporter/);
		expect(contentEditDenial(head, incident('verified'))).toBeNull();
	});

	it("names the stage in the seeds' words; resolved, verified and closed are handled (办结)", () => {
		const stages = INCIDENT_STATUSES.map((status) => [status, stageOf(status), isHandled(status)]);
		expect(stages).toEqual([
			['reported', 'reported', false],
			['accepted', 'accepted', false],
			['dispatched', 'accepted', false],
			['in_progress', 'handling', false],
			['resolved', 'done', true],
			['verified', 'done', true],
			['closed', 'done', true]
		]);
	});
});

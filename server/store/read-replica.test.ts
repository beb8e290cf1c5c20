import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error';
import { asReadReplica, replicaDown } from './read-replica';

const failure = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('read replica failures', () => {
	it('tells a replica that does not answer from a query it refused', () => {
		expect(replicaDown(failure('ECONNREFUSED'))).toBe('connection refused');
		expect(
			replicaDown(new AggregateError([failure('ECONNREFUSED'), failure('ECONNREFUSED')]))
		).toBe('connection refused');
		expect(replicaDown(failure('CONNECT_TIMEOUT'))).toBe('no answer within 5 s');
		// As drizzle throws it: the driver's error is the cause.
		const query = new Error('Failed query: select 1', { cause: failure('ECONNREFUSED') });
		expect(replicaDown(query)).toBe('connection refused');
		expect(replicaDown(failure('CONNECTION_CLOSED'))).toBe('connection closed');
		expect(
			replicaDown(failure('57P01', 'terminating connection due to administrator command'))
		).toBe('terminating connection due to administrator command [57P01]');
		expect(replicaDown(failure('57P03', 'the database system is starting up'))).toMatch(
			/starting up \[57P03\]$/
		);
		expect(replicaDown(failure('08006'))).toMatch(/\[08006\]$/);
		// A refused query, or anything without a code, is the server's own error.
		expect(replicaDown(failure('42P01', 'relation "rollup_figures" does not exist'))).toBeNull();
		expect(replicaDown(new Error('boom'))).toBeNull();
		expect(replicaDown(null)).toBeNull();
	});

	it('answers 503 when the replica does not answer, through the query groups too', async () => {
		const refused = new Error('Failed query', { cause: failure('ECONNREFUSED') });
		const fake = {
			dialect: 'postgres',
			migrate: async () => {},
			getGrid: async () => Promise.reject(refused),
			rollup: () => ({
				// A query builder: awaited by the caller, not a Promise itself.
				frozenDays: () => ({
					then: (_: unknown, reject: (error: unknown) => void) => reject(refused)
				}),
				figures: async () => Promise.reject(failure('42P01', 'no such table')),
				dueAsOf: async () => '2026-12-07'
			})
		};
		const store = asReadReplica(fake);
		expect(store.dialect).toBe('postgres');
		const unavailable = await store.getGrid().catch((error: unknown) => error);
		expect(unavailable).toBeInstanceOf(ApiError);
		expect(unavailable).toMatchObject({
			status: 503,
			code: 'unavailable',
			message: expect.stringMatching(/^read replica: no answer \(connection refused\)/),
			headers: { 'Retry-After': '30' }
		});
		await expect(store.rollup().frozenDays()).rejects.toMatchObject({ status: 503 });
		// Any other failure is the server's own, unchanged; answers pass through.
		await expect(store.rollup().figures()).rejects.toMatchObject({ code: '42P01' });
		expect(await store.rollup().dueAsOf()).toBe('2026-12-07');
		await expect(store.migrate()).rejects.toThrow(/^DATABASE_READ_URL: .*never migrated/);
	});
});

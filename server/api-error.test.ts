import { describe, expect, it } from 'vitest';
import { ApiError, conflict, forbidden, invalidInput, notFound, refusalError } from './api-error';
import { WriteRefusal } from './write/refusal';

describe('ApiError', () => {
	it('renders the error body: the field only when the input is named', () => {
		expect(invalidInput('dueDate', 'before startDate').body()).toEqual({
			error: 'invalid_input',
			field: 'dueDate',
			message: 'dueDate: before startDate'
		});
		expect(forbidden('id', 'outside your scope').body()).toEqual({
			error: 'forbidden',
			message: 'id: outside your scope'
		});
		expect(notFound('id', 'no such alert').status).toBe(404);
		expect(conflict('id', 'already resolved').body()).toEqual({
			error: 'conflict',
			message: 'id: already resolved'
		});
		const throttled = new ApiError(429, 'too_many_attempts', 'wait', undefined, {
			'Retry-After': '30'
		});
		expect([throttled.status, throttled.headers]).toEqual([429, { 'Retry-After': '30' }]);
	});

	it('turns a refusal of the write path into 400, 403, 404 or 409 by its kind, naming the field', () => {
		const cases = [
			['invalid', 400, 'invalid_input'],
			['forbidden', 403, 'forbidden'],
			['missing', 404, 'not_found'],
			['illegal', 409, 'conflict']
		] as const;
		for (const [kind, status, code] of cases) {
			const error = refusalError(new WriteRefusal('fields.status: cannot: go there', kind));
			expect([error.status, error.body()]).toEqual([
				status,
				{ error: code, field: 'fields.status', message: 'fields.status: cannot: go there' }
			]);
		}
		const renamed = refusalError(
			new WriteRefusal('fields.status: cannot go from "reported" to "closed"', 'illegal'),
			() => 'to'
		);
		expect(renamed.body()).toEqual({
			error: 'conflict',
			field: 'to',
			message: 'to: cannot go from "reported" to "closed"'
		});
	});
});

import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor';

const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('pull cursors', () => {
	it('encode the last sequence, and during a first download the visits window, as base64url JSON', () => {
		expect(encodeCursor({ seq: 42 })).toBe(raw({ s: 42 }));
		expect(encodeCursor({ seq: 0, visitsSince: 1_760_000_000_000 })).toBe(
			raw({ s: 0, v: 1_760_000_000_000 })
		);
		expect(encodeCursor({ seq: 7 })).toMatch(/^[A-Za-z0-9_-]+$/);
	});

	it('decode to what was encoded', () => {
		for (const cursor of [
			{ seq: 0 },
			{ seq: 1 },
			{ seq: Number.MAX_SAFE_INTEGER },
			{ seq: 0, visitsSince: 0 },
			{ seq: 12_345, visitsSince: 1_760_000_000_000 }
		])
			expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
	});

	it('refuse anything this server did not issue', () => {
		const refused = [
			'',
			'not a cursor',
			Buffer.from('{"s":').toString('base64url'),
			raw(null),
			raw([1]),
			raw(5),
			raw({}),
			raw({ v: 10 }),
			raw({ s: -1 }),
			raw({ s: 1.5 }),
			raw({ s: '3' }),
			raw({ s: Number.MAX_SAFE_INTEGER + 1 }),
			raw({ s: 3, v: -1 }),
			raw({ s: 3, v: '1760000000000' }),
			raw({ s: 3, v: null })
		];
		for (const cursor of refused) expect(decodeCursor(cursor), cursor).toBeNull();
	});

	it('carry the scope version they were issued under; cursors without one are of version 0', () => {
		expect(encodeCursor({ seq: 5, scopeVersion: 3 })).toBe(raw({ s: 5, sv: 3 }));
		expect(decodeCursor(raw({ s: 5, sv: 3 }))).toEqual({ seq: 5, scopeVersion: 3 });
		expect(decodeCursor(raw({ s: 5, v: 9, sv: 1 }))).toEqual({
			seq: 5,
			visitsSince: 9,
			scopeVersion: 1
		});
		expect(decodeCursor(raw({ s: 5 }))?.scopeVersion ?? 0).toBe(0);
		expect(decodeCursor(raw({ s: 5, sv: -1 }))).toBeNull();
		expect(decodeCursor(raw({ s: 5, sv: 'x' }))).toBeNull();
	});

	it('ignore keys they do not know', () => {
		expect(decodeCursor(raw({ s: 9, x: 'extra' }))).toEqual({ seq: 9 });
	});
});

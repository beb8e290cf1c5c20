import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { servedRollupOnly } from './rollup-only';

const P = '/api/v1';

describe('a roll-up-only server', () => {
	it('answers sign-in, accounts, divisions and figures', () => {
		for (const path of [
			'/health',
			'/health/ready',
			'/auth/login',
			'/users',
			'/users/u1/password',
			'/divisions/45',
			'/divisions/45/summary.xlsx',
			'/divisions/import',
			'/provinces',
			'/rollup/00',
			'/rollup/450102001003/trend',
			'/openapi.json'
		])
			expect(servedRollupOnly(`${P}${path}`, P), path).toBe(true);
	});

	it('answers nothing that carries or changes personal data', () => {
		for (const path of [
			'/sync/push',
			'/sync/pull',
			'/residents/r1',
			'/residents/r1/unmask',
			'/residents/export',
			'/households/move',
			'/incidents',
			'/incidents/i1/transition',
			'/kiosk/directory',
			'/communities/450102001003/grids',
			'/communities/450102001003/residents.xlsx',
			'/imports/i1/commit',
			'/history/households/h1',
			'/audit',
			'/duplicates',
			'/grids',
			'/rollup/45/trend/extra'
		])
			expect(servedRollupOnly(`${P}${path}`, P), path).toBe(false);
	});

	it('is chosen by GRIDCARE_MODE, whose bad value is named', () => {
		expect(loadConfig({}).mode).toBe('full');
		expect(loadConfig({ GRIDCARE_MODE: 'rollup-only' }).mode).toBe('rollup-only');
		expect(() => loadConfig({ GRIDCARE_MODE: 'national' })).toThrow(
			'GRIDCARE_MODE: expected full or rollup-only, got "national"'
		);
	});
});

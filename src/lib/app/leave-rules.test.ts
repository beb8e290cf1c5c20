import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { asksBeforeNavigating, type Move } from './leave-rules';

const at = (path: string) => new URL(path, 'https://gridcare.example');
const move = (over: Partial<Move>): Move => ({
	type: 'link',
	willUnload: false,
	from: at('/worker/household/h1/resident-new'),
	to: at('/worker/household/h1'),
	...over
});

describe('asksBeforeNavigating', () => {
	it('asks when a link or the back button leaves unsaved input', () => {
		expect(asksBeforeNavigating(move({}), 1)).toBe(true);
		expect(asksBeforeNavigating(move({ type: 'popstate' }), 2)).toBe(true);
		expect(asksBeforeNavigating(move({ type: 'form' }), 1)).toBe(true);
	});

	it('does not ask with nothing unsaved', () => {
		expect(asksBeforeNavigating(move({}), 0)).toBe(false);
	});

	it("leaves the app's own moves and unloads alone", () => {
		// After a save, on sign-out: the app moved on purpose.
		expect(asksBeforeNavigating(move({ type: 'goto' }), 1)).toBe(false);
		// Closing, reloading or another site: the browser's beforeunload prompt asks instead.
		expect(asksBeforeNavigating(move({ type: 'leave', willUnload: true, to: null }), 1)).toBe(
			false
		);
		expect(
			asksBeforeNavigating(move({ willUnload: true, to: at('https://example.org/') }), 1)
		).toBe(false);
	});

	it('does not ask for a move within the same page', () => {
		const here = at('/worker/household/h1/resident-new');
		expect(asksBeforeNavigating(move({ from: here, to: at(`${here.pathname}#main`) }), 1)).toBe(
			false
		);
		expect(asksBeforeNavigating(move({ from: here, to: at(`${here.pathname}?x=1`) }), 1)).toBe(
			true
		);
	});
});

describe('entry forms', () => {
	// Every form a person fills in and saves asks before its input is left unsaved.
	const ENTRY_FORMS = [
		'src/lib/components/forms/HouseholdForm.svelte',
		'src/lib/components/forms/ResidentForm.svelte',
		'src/lib/components/forms/IncidentForm.svelte',
		'src/lib/components/worker/VisitForm.svelte',
		'src/lib/components/worker/RejectedChange.svelte',
		'src/lib/components/supervise/SettingsForm.svelte',
		'src/lib/components/supervise/RoundForm.svelte',
		'src/lib/components/map/TileSettings.svelte'
	];

	it.each(ENTRY_FORMS)('%s carries the leave guard', (file) => {
		const source = readFileSync(file, 'utf8');
		const forms = source.match(/<form\b[^>]*>/g) ?? [];
		expect(forms.length).toBeGreaterThan(0);
		for (const tag of forms) expect(tag).toContain('{...askBeforeLeaving}');
	});

	it('the root layout starts the guard', () => {
		expect(readFileSync('src/routes/+layout.svelte', 'utf8')).toMatch(/guardUnsavedInput\(\)/);
	});
});

// Small value helpers of the forms (plain module: nothing here is reactive state).

/** Same members, any order (tags). */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
	const set = new Set(a);
	return set.size === new Set(b).size && b.every((x) => set.has(x));
}

/** A list with `value` in or out, order kept. */
export function toggled(list: readonly string[], value: string, on: boolean): string[] {
	if (on) return list.includes(value) ? [...list] : [...list, value];
	return list.filter((item) => item !== value);
}

/** The calendar year on this device now. */
export function currentYear(): number {
	return new Date().getFullYear();
}

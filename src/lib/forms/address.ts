// Addresses in the local style. In an estate a flat is "<estate or street number><building>栋
// <unit>单元<room>室" (民生路12号3栋2单元501室); in a village it is free text such as
// "兴宁村第三村民小组12号". The helper inputs compose the one `address` field the schema checks.

export type AddressMode = 'building' | 'village';

export interface AddressParts {
	/** Estate name or street and number: 民生路12号, 阳光小区. */
	prefix: string;
	building: string;
	/** Optional: small buildings have a single entrance and no units. */
	unit: string;
	room: string;
}

export const EMPTY_PARTS: AddressParts = { prefix: '', building: '', unit: '', room: '' };

/** Drop what the composer adds itself, so "3栋" typed into the building box is not doubled. */
function clean(value: string, suffix: string): string {
	const trimmed = value.trim();
	return trimmed.endsWith(suffix) ? trimmed.slice(0, -suffix.length).trim() : trimmed;
}

export function normalizeParts(parts: AddressParts): AddressParts {
	return {
		prefix: parts.prefix.trim(),
		building: clean(parts.building, '栋'),
		unit: clean(parts.unit, '单元'),
		room: clean(parts.room, '室')
	};
}

/** The address a set of parts makes; empty when the parts needed are missing. */
export function composeAddress(parts: AddressParts): string {
	const p = normalizeParts(parts);
	if (!p.building || !p.room) return '';
	return `${p.prefix}${p.building}栋${p.unit ? `${p.unit}单元` : ''}${p.room}室`;
}

/** Which required parts are missing, in screen order. */
export function missingParts(parts: AddressParts): ('prefix' | 'building' | 'room')[] {
	const p = normalizeParts(parts);
	return (['prefix', 'building', 'room'] as const).filter((key) => !p[key]);
}

// The building is the run of digits, Latin letters or Chinese numerals right before 栋.
const BUILDING_ADDRESS =
	/^(.*?)([0-9A-Za-z]+|[一二三四五六七八九十百]+)栋(?:([^栋单元]+)单元)?([^栋单元室]+)室$/u;

/** Split an estate address back into parts; null for anything else (then it is free text). */
export function parseAddress(address: string): AddressParts | null {
	const match = BUILDING_ADDRESS.exec(address.trim());
	if (!match) return null;
	const [, prefix, building, unit = '', room] = match;
	return { prefix, building, unit, room };
}

/**
 * Building and unit of an estate address, without the estate or the room: "3栋2单元" for
 * 民生路12号3栋2单元501室, "3栋" when the building has no units. Null for any other address (a
 * village's free text may hold a house number anywhere, so none of it is shown).
 */
export function buildingAndUnit(address: string): string | null {
	const parts = parseAddress(address);
	if (!parts) return null;
	const p = normalizeParts(parts);
	return `${p.building}栋${p.unit ? `${p.unit}单元` : ''}`;
}

/**
 * Estates and street numbers already used in a grid, most frequent first: suggestions for the
 * prefix box, so a worker types "民生路12号" once per estate, not once per flat.
 */
export function addressPrefixes(addresses: readonly string[], limit = 20): string[] {
	const counts = new Map<string, number>();
	for (const address of addresses) {
		const prefix = parseAddress(address)?.prefix;
		if (prefix) counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
	}
	return [...counts.entries()]
		.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'zh-CN'))
		.slice(0, limit)
		.map(([prefix]) => prefix);
}

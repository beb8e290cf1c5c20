// Phone numbers as people write them, in the one form the contract stores (README, "API":
// resident fields). Used by the resident form on the tablet and by the roster reader on the
// server; dependency-free so both can import it.
//
// A mobile number is stored as its 11 digits (13812345678). A landline is stored with its area
// code, a hyphen and the local number, and an optional extension after a second hyphen
// (0771-1234567, 010-12345678-801): LANDLINE_PATTERN in ./schemas.ts.

/** Hyphens, dashes and minus signs people type between digit groups. */
const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g;

/** Full-width digits, letters, brackets and spaces as their ASCII forms; every dash as "-". */
function plain(text: string): string {
	return text.normalize('NFKC').replace(DASHES, '-').trim();
}

/**
 * A mobile number as its 11 digits, or null when the text is not one. Accepts spaces, hyphens,
 * dots and brackets between digits (`138 1234 5678`, `138-1234-5678`), the country code
 * (`+86 13812345678`, `0086…`, `86…`) and full-width digits (`１３８１２３４５６７８`).
 */
export function normalizeMobile(text: string): string | null {
	let digits = plain(text).replace(/[\s\-.()]/g, '');
	if (digits.startsWith('+86')) digits = digits.slice(3);
	else if (digits.startsWith('0086')) digits = digits.slice(4);
	else if (digits.length === 13 && digits.startsWith('86')) digits = digits.slice(2);
	return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

/**
 * The area code's length from its first digits: 010 (Beijing) and 02x (the largest cities) have
 * three digits, every other area code four.
 */
function areaCodeLength(digits: string): number {
	return digits.startsWith('010') || digits.startsWith('02') ? 3 : 4;
}

/** `area-local`, or null when the digits are not an area code and a local number of 7 or 8 digits. */
function split(digits: string): string | null {
	if (!digits.startsWith('0')) return null;
	const length = areaCodeLength(digits);
	const area = digits.slice(0, length);
	const local = digits.slice(length);
	return /^0\d{2,3}$/.test(area) && /^[1-9]\d{6,7}$/.test(local) ? `${area}-${local}` : null;
}

/**
 * A landline as `0771-1234567` (with `-801` for an extension), or null when the text is not one.
 * Accepts spaces, hyphens and brackets (`0771 1234567`, `(0771)1234567`, `（0771）1234567`), the
 * digits run together (`07711234567`: the area code's length follows from its first digits), the
 * country code (`+86 771 1234567`), full-width digits, and an extension after `转`, `ext`, `#` or
 * a last hyphenated group (`0771-1234567-801`). A number without its area code is refused: the
 * same seven digits exist in every city.
 */
export function normalizeLandline(text: string): string | null {
	let s = plain(text);
	let extension: string | null = null;
	const marked = /\s*(?:转|ext\.?|x|#)\s*(\d{1,6})$/i.exec(s);
	if (marked) {
		extension = marked[1];
		s = s.slice(0, marked.index);
	}
	const international = /^(?:\+|00)86/.test(s);
	if (international) s = s.replace(/^(?:\+|00)86/, '');
	if (/[^\d\s\-()]/.test(s)) return null;
	const groups = s.split(/[\s\-()]+/).filter(Boolean);
	if (groups.length === 0) return null;
	if (international && !groups[0].startsWith('0')) groups[0] = `0${groups[0]}`;
	const whole = split(groups.join(''));
	// A last group of up to six digits after a complete number is its extension.
	const last = groups[groups.length - 1];
	if (extension === null && groups.length >= 3 && last.length <= 6) {
		const withoutLast = split(groups.slice(0, -1).join(''));
		if (withoutLast) return `${withoutLast}-${last}`;
	}
	if (!whole) return null;
	return extension === null ? whole : `${whole}-${extension}`;
}

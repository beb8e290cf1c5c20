// A map tile URL template, such as https://tiles.example.cn/{z}/{x}/{y}.png: the rule the app's
// per-device setting (src/lib/map/tile-url.ts) and the server's GRIDCARE_TILE_URL both follow.

export type TileUrlProblem = 'not_http' | 'missing_placeholders';

/** Why a template cannot be used, or null. */
export function tileUrlProblem(template: string): TileUrlProblem | null {
	let url: URL;
	try {
		url = new URL(template.replaceAll(/\{[a-z]\}/g, '0'));
	} catch {
		return 'not_http';
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'not_http';
	if (!['{z}', '{x}', '{y}'].every((p) => template.includes(p))) return 'missing_placeholders';
	return null;
}

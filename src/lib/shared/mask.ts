// De-identified display forms (GB/T 35273): what leaves the server or shows on screen by default.

/** 450102********1234: at most the first 6 and last 4 characters visible. */
export function maskIdNumber(id: string): string {
	if (id.length <= 10) return '*'.repeat(id.length);
	return id.slice(0, 6) + '*'.repeat(id.length - 10) + id.slice(-4);
}

/** 138****5678: first 3 and last 4 digits. */
export function maskPhone(phone: string): string {
	if (phone.length <= 7) return '*'.repeat(phone.length);
	return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}

/**
 * 0771-***4567: the area code (which only says the city) and the last 4 digits of the local
 * number; an extension is left out.
 */
export function maskLandline(landline: string): string {
	const [area, local] = landline.split('-');
	if (local === undefined) return maskPhone(landline);
	const shown = local.length <= 4 ? '' : local.slice(-4);
	return `${area}-${'*'.repeat(local.length - shown.length)}${shown}`;
}

/** 张*明 for three characters, 张* for two, 欧**明 for four: first and last kept. */
export function maskName(name: string): string {
	const chars = Array.from(name);
	if (chars.length <= 1) return name;
	if (chars.length === 2) return chars[0] + '*';
	return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
}

// The address a request comes from, for the login throttle. X-Forwarded-For is believed only
// when the direct peer is one of the trusted proxies (GRIDCARE_TRUSTED_PROXIES); anyone else
// could write any address there.
import { BlockList, isIP } from 'node:net';

export class TrustedProxies {
	private readonly list = new BlockList();
	/** The entries as given, for display. */
	readonly entries: readonly string[];

	/**
	 * `value`: addresses or CIDR ranges (IPv4 or IPv6) separated by commas or spaces; empty for
	 * none. Throws an error naming `name` and the bad entry.
	 */
	constructor(value = '', name = 'GRIDCARE_TRUSTED_PROXIES') {
		const entries = value.split(/[\s,]+/).filter(Boolean);
		for (const entry of entries) {
			const [address, bits, ...rest] = entry.split('/');
			const family = isIP(address);
			const max = family === 4 ? 32 : 128;
			if (!family || rest.length > 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits)))
				throw new Error(`${name}: "${entry}" is not an IP address or CIDR range`);
			const type = family === 4 ? 'ipv4' : 'ipv6';
			if (bits === undefined) {
				this.list.addAddress(address, type);
				continue;
			}
			const prefix = Number(bits);
			if (prefix > max) throw new Error(`${name}: "${entry}" has a prefix longer than ${max} bits`);
			this.list.addSubnet(address, prefix, type);
		}
		this.entries = entries;
	}

	/** Whether `address` (any notation isIP accepts, IPv4-mapped IPv6 included) is trusted. */
	has(address: string): boolean {
		const plain = unmapped(address);
		const family = isIP(plain);
		if (!family) return false;
		return this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
	}
}

/**
 * The client's address: the direct peer, unless it is a trusted proxy; then the right-most
 * X-Forwarded-For entry that is not itself a trusted proxy (entries further left were written
 * by whoever the proxies talked to, so they prove nothing). When every entry is trusted, the
 * left-most one; when an entry is no IP address, the trusted hop that passed it on.
 */
export function clientAddress(
	peer: string,
	forwardedFor: string | undefined,
	trusted: TrustedProxies
): string {
	let current = unmapped(peer);
	if (!forwardedFor || !trusted.has(current)) return current;
	const hops = forwardedFor
		.split(',')
		.map((hop) => hop.trim())
		.filter(Boolean);
	for (let i = hops.length - 1; i >= 0; i--) {
		const hop = withoutPort(hops[i]);
		if (!isIP(hop)) return current;
		current = hop;
		if (!trusted.has(hop)) return hop;
	}
	return current;
}

/** "::ffff:10.0.0.1" (how a dual-stack socket reports IPv4 peers) → "10.0.0.1". */
function unmapped(address: string): string {
	const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
	return m ? m[1] : address;
}

/** Some proxies append the port: "203.0.113.7:51234", "[2001:db8::1]:443". */
function withoutPort(hop: string): string {
	const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
	if (v6) return unmapped(v6[1]);
	const v4 = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(hop);
	return unmapped(v4 ? v4[1] : hop);
}

// Responses on the wire: the built app is served from files compressed at build time (brotli and
// gzip, written by adapter-static); API answers above a size threshold are gzipped as they go out,
// pull pages included. See docs/field-performance.md, "Compression".
import type { Context, MiddlewareHandler } from 'hono';
import { compress, COMPRESSIBLE_CONTENT_TYPE_REGEX } from 'hono/compress';

/** Below this, the gzip header and the work cost more than the bytes saved. */
export const COMPRESS_THRESHOLD_BYTES = 1024;

/**
 * Hono's JSON and text answers carry no Content-Length, which the threshold needs. Every answer
 * of this server is in memory already (none is streamed), so a compressible one is measured.
 */
async function withLength(c: Context): Promise<void> {
	const res = c.res;
	const type = res.headers.get('content-type') ?? '';
	if (
		!res.body ||
		res.headers.has('content-length') ||
		res.headers.has('content-encoding') ||
		!COMPRESSIBLE_CONTENT_TYPE_REGEX.test(type)
	)
		return;
	const bytes = await res.arrayBuffer();
	c.res = new Response(bytes, res);
	c.res.headers.set('content-length', String(bytes.byteLength));
}

/**
 * On-the-fly gzip for answers not compressed already. Sign-in answers are left alone: they carry
 * a session token and echo what the user typed, the mix a compression side channel (BREACH)
 * needs, and they are small.
 */
export function apiCompression(authPrefix: string): MiddlewareHandler {
	const gzip = compress({ encoding: 'gzip', threshold: COMPRESS_THRESHOLD_BYTES });
	return async (c, next) => {
		if (c.req.path.startsWith(authPrefix)) return next();
		const accepted = /gzip/i.test(c.req.header('accept-encoding') ?? '');
		return gzip(c, async () => {
			await next();
			if (accepted) await withLength(c);
		});
	};
}

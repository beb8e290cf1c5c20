// The built app on the wire (docs/field-performance.md, "Compression"): every text file of the
// build has brotli and gzip copies written at build time, and the server sends the one the client
// accepts, with Content-Encoding and Vary, or the file itself to a client that accepts neither.
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, relative } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect } from 'vitest';
import { test } from './fixtures';

interface RawResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
}

/** A GET whose body is left as it came (fetch would decode it). */
function get(url: string, acceptEncoding?: string): Promise<RawResponse> {
	return new Promise((resolve, reject) => {
		const req = request(
			url,
			{ headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} },
			(res) => {
				const chunks: Uint8Array[] = [];
				res.on('data', (chunk: Uint8Array) => chunks.push(chunk));
				res.on('end', () =>
					resolve({
						status: res.statusCode ?? 0,
						headers: res.headers,
						body: Buffer.concat(chunks)
					})
				);
				res.on('error', reject);
			}
		);
		req.on('error', reject);
		req.end();
	});
}

function files(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true, recursive: true })
		.filter((entry) => entry.isFile())
		.map((entry) => join(entry.parentPath, entry.name));
}

describe('the built app, compressed', () => {
	test('every script and style has brotli and gzip copies, sent by Accept-Encoding', async ({
		build,
		server
	}) => {
		const built = files(build);
		const texts = built.filter((file) => /\.(js|css|html|json|svg|webmanifest)$/.test(file));
		const missing = texts.filter(
			(file) => !built.includes(`${file}.br`) || !built.includes(`${file}.gz`)
		);
		// Files too small to gain from compression may have none; scripts and styles always do.
		expect(missing.filter((file) => /\.(js|css)$/.test(file))).toEqual([]);

		const script = texts
			.filter((file) => file.includes('/_app/immutable/') && file.endsWith('.js'))
			.sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
		const original = readFileSync(script);
		const url = `${server.url}/${relative(build, script)}`;

		const br = await get(url, 'gzip, deflate, br');
		expect(br.status).toBe(200);
		expect(br.headers['content-encoding']).toBe('br');
		expect(String(br.headers.vary)).toMatch(/accept-encoding/i);
		expect(br.body.length).toBeLessThan(original.length / 2);
		expect(brotliDecompressSync(new Uint8Array(br.body)).equals(original)).toBe(true);

		const gz = await get(url, 'gzip');
		expect(gz.headers['content-encoding']).toBe('gzip');
		expect(gunzipSync(new Uint8Array(gz.body)).equals(original)).toBe(true);

		const plain = await get(url);
		expect(plain.headers['content-encoding']).toBeUndefined();
		expect(plain.body.equals(original)).toBe(true);
		expect(plain.headers['cache-control']).toContain('immutable');
	});

	test('a navigation gets the app shell compressed', async ({ server }) => {
		const shell = await get(`${server.url}/worker`, 'gzip, deflate, br');
		expect(shell.status).toBe(200);
		expect(['br', 'gzip']).toContain(shell.headers['content-encoding']);
		const html = (
			shell.headers['content-encoding'] === 'br'
				? brotliDecompressSync(new Uint8Array(shell.body))
				: gunzipSync(new Uint8Array(shell.body))
		).toString('utf8');
		expect(html).toContain('<html');
	});
});

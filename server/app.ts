// The Hono app: `/api/v1` (one sub-app per resource) and the built PWA, from one port.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { serveStatic } from '@hono/node-server/serve-static';
import { swaggerUI } from '@hono/swagger-ui';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { ApiError } from './api-error';
import { apiCompression } from './compression';
import type { AppEnv, Services } from './context';
import { authRoutes, logoutRoutes } from './routes/auth';
import { divisionRoutes } from './routes/divisions';
import { healthRoutes } from './routes/health';
import { router } from './routes/router';
import { syncRoutes } from './routes/sync';
import { historyRoutes } from './routes/history';
import { auditRoutes } from './routes/audit';
import { deviceRoutes } from './routes/devices';
import { manageDeviceRoutes } from './routes/manage-devices';
import { divisionImportRoutes } from './routes/division-import';
import { duplicateRoutes } from './routes/duplicates';
import { residentRoutes } from './routes/residents';
import { householdRoutes } from './routes/households';
import { errorFields, logLine, stdoutSink } from './logging';
import { requestLog } from './request-log';
import { metricsEndpoint } from './routes/metrics';
import { noStore, PERSONAL_DATA_PATHS, securityHeaders } from './privacy/headers';
import { kioskRoutes } from './routes/kiosk';
import { rollupRoutes } from './routes/rollup';
import { supervisionRoutes } from './routes/supervision';
import { IMPORT_UPLOAD_PATH, importRoutes } from './routes/imports';
import { userRoutes } from './routes/users';
import { gridRoutes } from './routes/grids';
import { templateRoutes } from './routes/templates';
import { rollupOnlyGate } from './rollup-only';

export const API_PREFIX = '/api/v1';
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** The API alone: mounted by createApp, and used directly by tests through `app.request`. */
export function createApi() {
	const api = router();
	const limit = bodyLimit({
		maxSize: MAX_BODY_BYTES,
		onError: (c) =>
			c.json(
				{ error: 'payload_too_large', message: `body: larger than ${MAX_BODY_BYTES} bytes` },
				413
			)
	});
	// A roster upload has its own, larger limit (server/routes/imports.ts).
	api.use('*', (c, next) =>
		c.req.method === 'POST' && c.req.path.endsWith(IMPORT_UPLOAD_PATH) ? next() : limit(c, next)
	);
	// A national (roll-up-only) server answers figures only (server/rollup-only.ts).
	api.use('*', rollupOnlyGate(API_PREFIX));
	for (const path of PERSONAL_DATA_PATHS) api.use(path, noStore);
	api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
		type: 'http',
		scheme: 'bearer'
	});
	const routes = api
		.route('/', healthRoutes)
		.route('/', authRoutes)
		.route('/', logoutRoutes)
		.route('/', divisionRoutes)
		.route('/', syncRoutes)
		.route('/', historyRoutes)
		// Privacy: unmasking, erasure, audit trail, device revocation, duplicate registrations.
		.route('/', residentRoutes)
		.route('/', householdRoutes)
		.route('/', auditRoutes)
		.route('/', deviceRoutes)
		.route('/', duplicateRoutes)
		.route('/', kioskRoutes)
		.route('/', rollupRoutes)
		.route('/', supervisionRoutes)
		.route('/', importRoutes)
		.route('/', manageDeviceRoutes)
		.route('/', divisionImportRoutes)
		.route('/', userRoutes)
		.route('/', gridRoutes)
		.route('/', templateRoutes);
	api.doc31('/openapi.json', (c) => ({
		openapi: '3.1.0',
		info: { title: 'GridCare API', version: c.var.services.version },
		servers: [{ url: API_PREFIX }]
	}));
	api.get('/docs', swaggerUI({ url: `${API_PREFIX}/openapi.json` }));
	api.notFound((c) =>
		c.json({ error: 'not_found', message: `path: no route ${c.req.method} ${c.req.path}` }, 404)
	);
	api.onError((error, c) => {
		if (error instanceof ApiError) return c.json(error.body(), error.status, error.headers);
		if (error instanceof HTTPException && error.status < 500)
			return c.json(
				{ error: 'invalid_input', field: '(body)', message: `body: ${error.message}` },
				error.status
			);
		// The route pattern and what errorFields keeps: messages may quote personal data.
		logLine(c.var.services.log ?? stdoutSink, 'error', 'unhandled', {
			route: c.req.routePath,
			...errorFields(error)
		});
		return c.json({ error: 'internal', message: 'internal error' }, 500);
	});
	return routes;
}

export type ApiType = ReturnType<typeof createApi>;

export function createApp(services: Services) {
	const app = new OpenAPIHono<AppEnv>();
	app.use('*', async (c, next) => {
		c.set('services', services);
		await next();
	});
	app.use('*', requestLog(services.log ?? stdoutSink));
	app.use(
		'*',
		securityHeaders(resolve(services.config.appDir), services.config.tileUrl, `${API_PREFIX}/docs`)
	);
	if (services.config.compression) app.use('*', apiCompression(`${API_PREFIX}/auth/`));
	app.get('/metrics', metricsEndpoint);
	app.route(API_PREFIX, createApi());
	app.all(`${API_PREFIX}/*`, (c) =>
		c.json({ error: 'not_found', message: `path: no route ${c.req.path}` }, 404)
	);

	const root = resolve(services.config.appDir);
	app.use(
		'*',
		serveStatic({
			root,
			// The .br and .gz files adapter-static writes next to each built file, by Accept-Encoding.
			precompressed: true,
			onFound: (path, c) => {
				// Hashed assets never change; the shell and the service worker must revalidate.
				c.header(
					'Cache-Control',
					path.includes('/_app/immutable/') ? 'public, max-age=31536000, immutable' : 'no-cache'
				);
			}
		})
	);
	// Built assets that do not exist are 404s, never the shell: a service worker installing
	// during a deploy must not cache HTML as JavaScript.
	app.get('/_app/*', (c) => c.text('Not found', 404));
	// SPA fallback: any other GET navigation gets the app shell (read each time: a rebuild
	// replaces it while the server runs).
	app.get('*', async (c) => {
		const shell = await readFile(join(root, 'index.html'), 'utf8').catch(() => null);
		if (shell === null) return c.text('The app is not built: run `npm run build`.', 503);
		c.header('Cache-Control', 'no-cache');
		return c.html(shell);
	});
	return app;
}

// The app and the server read one definition of each answer they exchange (src/lib/shared/): these
// assertions are checked by the type checker (`vitest run --project unit` and `npm run check`), so
// a field renamed, added or retyped on one side only fails them. The routes' answers are taken from
// the server's route table through Hono's typed client, as a caller of the API would see them.
import { describe, expectTypeOf, it } from 'vitest';
import type { hc, InferResponseType } from 'hono/client';
import type { JSONParsed } from 'hono/utils/types';
import type { ApiType } from '../../server/app';
import type { applyPushBatch } from '../../server/sync/push';
import type { readMetrics, readTrend } from '../../server/rollup/read';
import type { HttpSyncTransport } from '$lib/sync/http-transport';
import type { SyncTransport } from '$lib/sync/transport';
import type { superviseApi } from '$lib/supervise/supervise-api';
import type { auditEntries, DuplicateFlag } from '$lib/privacy/privacy-api';
import type { AuditEntry } from '$lib/shared/privacy';
import type { Metrics, QuestionFigures } from '$lib/shared/metrics';
import type { PushResult } from '$lib/shared/schemas';
import type { DirectoryEntry } from '$lib/kiosk/kiosk-checkin';

type Api = ReturnType<typeof hc<ApiType>>;
type Answer<Endpoint> = InferResponseType<Endpoint, 200>;

describe('the app reads what the routes answer', () => {
	it('push: one result per mutation, the same union on both sides', () => {
		type Route = Answer<Api['sync']['push']['$post']>['results'];
		expectTypeOf<Route>().toEqualTypeOf<PushResult[]>();
		expectTypeOf<Awaited<ReturnType<SyncTransport['push']>>>().toEqualTypeOf<Route>();
		expectTypeOf<Awaited<ReturnType<HttpSyncTransport['push']>>>().toEqualTypeOf<Route>();
		// What the push service returns is what the route sends.
		expectTypeOf<Awaited<ReturnType<typeof applyPushBatch>>>().toEqualTypeOf<Route>();
	});

	it('kiosk directory: the entries the kiosk keeps, last help request included', () => {
		type Route = Answer<Api['kiosk']['directory']['$get']>['residents'][number];
		expectTypeOf<DirectoryEntry>().toEqualTypeOf<Route>();
	});

	it('duplicate flags: where each resident is registered, as the head may see it', () => {
		type Route = Answer<Api['duplicates']['$get']>['flags'][number];
		expectTypeOf<DuplicateFlag>().toEqualTypeOf<Route>();
	});

	it('metrics: the same names and counts in the roll-up, trend and grid table', () => {
		type Rollup = Answer<Api['rollup'][':code']['$get']>;
		type Trend = Answer<Api['rollup'][':code']['trend']['$get']>;
		type Grids = Answer<Api['communities'][':code']['grids']['$get']>;
		type App = typeof superviseApi;
		expectTypeOf<Rollup['metrics']>().toEqualTypeOf<Metrics>();
		expectTypeOf<Rollup['children'][number]['metrics']>().toEqualTypeOf<Metrics>();
		expectTypeOf<Trend['days'][number]['metrics']>().toEqualTypeOf<Metrics>();
		expectTypeOf<Grids['grids'][number]['metrics']>().toEqualTypeOf<Metrics>();
		expectTypeOf<Awaited<ReturnType<App['rollup']>>['metrics']>().toEqualTypeOf<Metrics>();
		expectTypeOf<
			Awaited<ReturnType<App['trend']>>['days'][number]['metrics']
		>().toEqualTypeOf<Metrics>();
		expectTypeOf<
			Awaited<ReturnType<App['grids']>>['grids'][number]['metrics']
		>().toEqualTypeOf<Metrics>();
		// The figures the server reads are counted under the same names.
		type Read = Awaited<ReturnType<typeof readMetrics>> extends Map<string, infer M> ? M : never;
		expectTypeOf<Read>().toEqualTypeOf<Metrics>();
		expectTypeOf<
			Awaited<ReturnType<typeof readTrend>>[number]['metrics']
		>().toEqualTypeOf<Metrics>();
	});

	it("questions: a round's question figures, on the node and each child", () => {
		type Rollup = Answer<Api['rollup'][':code']['$get']>;
		type App = Awaited<ReturnType<(typeof superviseApi)['rollup']>>;
		expectTypeOf<Rollup['questions']>().toEqualTypeOf<QuestionFigures | undefined>();
		expectTypeOf<Rollup['children'][number]['questions']>().toEqualTypeOf<
			QuestionFigures | undefined
		>();
		expectTypeOf<App['questions']>().toEqualTypeOf<QuestionFigures | undefined>();
		expectTypeOf<App['children'][number]['questions']>().toEqualTypeOf<
			QuestionFigures | undefined
		>();
	});

	it('audit: the entries the trail lists', () => {
		type Route = Answer<Api['audit']['$get']>['entries'];
		// `details` is any JSON object: as sent, its values are JSON values.
		expectTypeOf<Route>().toEqualTypeOf<JSONParsed<AuditEntry>[]>();
		expectTypeOf<Awaited<ReturnType<typeof auditEntries>>>().toEqualTypeOf<AuditEntry[]>();
	});
});

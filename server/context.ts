import type { Config } from './config';
import type { LoginThrottle } from './auth/throttle';
import type { Principal } from './auth/scope';
import type { Store } from './store/types';
import type { LogSink } from './logging';
import type { Metrics } from './metrics';

/** What every route can reach: passed in once, never imported as globals. */
export interface Services {
	store: Store;
	/**
	 * Where the roll-up, trend and report figures are read: a streaming replica of `store` when
	 * DATABASE_READ_URL is set (server/store/read-replica.ts); `store` when absent. Nothing else
	 * reads it, and nothing writes through it.
	 */
	readStore?: Store;
	config: Config;
	throttle: LoginThrottle;
	version: string;
	/** The clock, injectable so tests can move time. */
	now: () => Date;
	/** Where structured log lines go (standard output when absent). */
	log?: LogSink;
	/**
	 * Prompt alert evaluation after writes that change a community's figures
	 * (server/supervision/alert-scheduler.ts; none when absent).
	 */
	alerts?: AlertNotifier;
	/** This process's Prometheus series (server/metrics.ts; none when absent). */
	metrics?: Metrics;
	/** Where the process stands, for readiness (server/serve.ts); always ready when absent. */
	lifecycle?: Lifecycle;
}

/** What `GET /health/ready` reports besides the database answering. */
export interface Lifecycle {
	/** This process's migrations are applied. */
	migrated: boolean;
	/** SIGTERM arrived: requests in hand are finished, new ones belong elsewhere. */
	shuttingDown: boolean;
}

/** What a route asks of the alert scheduler once its write has committed. */
export interface AlertNotifier {
	notify(communityCodes: Iterable<string>): void;
}

export interface AppEnv {
	Variables: {
		services: Services;
		principal: Principal;
	};
}

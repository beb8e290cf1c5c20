// A short seeded chaos run on each database (docs/chaos.md): simulated devices with the app's
// real sync engine against the real server in a child process, through a proxy that loses,
// duplicates, delays, replays and cuts requests and answers, while the server is killed with
// SIGKILL; devices go offline and reload mid-sync. Nothing recorded may be lost or doubled,
// every device must converge, the roll-up must equal recompute-rollups. The long run is
// `npm run chaos`.
import { describe, expect, it } from 'vitest';
import { DEFAULTS, runChaos, type ChaosDatabase } from '../chaos/harness';
import { FAULTS } from '../chaos/proxy';
import { dialectAvailable, DIALECTS } from './stores';

const SHORT = {
	...DEFAULTS,
	seed: 21,
	devices: 20,
	mutations: 30,
	kills: 2,
	paceMs: 120,
	// More offline spells and reloads than the long run, so a short run meets them all.
	offlineRate: 0.03,
	reloadRate: 0.03,
	clientTimeoutMs: 1_500
};

describe.each(DIALECTS)('chaos run (%s)', (dialect) => {
	it.skipIf(!dialectAvailable(dialect))(
		'loses and doubles nothing, converges, and keeps the roll-up and the file sound',
		async () => {
			const report = await runChaos({ ...SHORT, db: dialect as ChaosDatabase });
			const { summary, checks } = report;
			// What failed, in the test's output, when something did.
			expect(checks.lost).toEqual([]);
			expect(checks.doubled).toEqual([]);
			expect(checks.divergent).toEqual([]);
			expect(checks.violations).toEqual([]);
			expect(checks.rollupDiff).toEqual([]);
			expect(checks.integrity).toBe(dialect === 'sqlite' ? 'ok' : 'n/a');
			expect(summary).toEqual({
				recorded: SHORT.devices * SHORT.mutations,
				applied: summary.applied,
				rejected: summary.rejected,
				lost: 0,
				doubled: 0,
				converged: true
			});
			expect(summary.applied + summary.rejected).toBe(summary.recorded);
			// The run met what it is meant to: refusals, every fault, kills, offline spells, reloads.
			expect(summary.rejected).toBeGreaterThan(0);
			expect(checks.folded + checks.sends - checks.sentIds).toBeGreaterThan(0);
			expect(Object.keys(report.injected).sort()).toEqual([...FAULTS].sort());
			expect(report.kills).toHaveLength(SHORT.kills);
			expect(report.reloads).toBeGreaterThan(0);
			expect(report.offlineSpells).toBeGreaterThan(0);
			expect(report.ok).toBe(true);
		},
		// About 35 s of CPU per database; on a loaded 2-core machine the wall time is several times that.
		420_000
	);
});

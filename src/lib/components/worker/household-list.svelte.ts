// The household list of one grid: the summaries come from a live query of the device's data (so
// a visit saved or pulled shows at once); what is typed is applied after a short pause, and the
// search and filters run in memory over the summaries.
import { LiveQuery } from '$lib/app/live-query.svelte';
import { coveragePeriod, gridRows } from '$lib/db/worker-reads';
import { rangesAt, type CoveragePeriod } from '$lib/domain/calendar';
import {
	coverageOf,
	filterHouseholds,
	HOUSEHOLD_FILTERS,
	summarizeHouseholds,
	type Coverage,
	type HouseholdFilter,
	type HouseholdSummary
} from '$lib/domain/household-list';
import { tagSearchWords } from '$lib/i18n/worker-labels';
import { deploymentTimeZone } from '$lib/i18n/format';
import { dayAt } from '$lib/domain/due-visits';
import { session } from '$lib/app/session.svelte';
import { storedVisitFrequency } from '$lib/worker/visit-frequency';

/** Long enough to skip the keystrokes of a word, short enough to feel immediate. */
export const SEARCH_DEBOUNCE_MS = 150;

const collator = new Intl.Collator('zh-CN', { numeric: true });

/** Timings for the browser's performance panel and the e2e measurements; only the latest is kept. */
function measure(name: string, start: number): void {
	performance.clearMeasures(name);
	performance.measure(name, { start });
}

export interface GridList {
	summaries: HouseholdSummary[];
	coverage: Coverage;
	/** The period coverage and "not yet visited" count over. */
	period: CoveragePeriod;
}

export interface ListSnapshot {
	query: string;
	filters: HouseholdFilter[];
}

export class HouseholdListState {
	/** What is in the search box. */
	query = $state('');
	/** The query the list shows (the box's text after a pause). */
	appliedQuery = $state('');
	filters = $state<HouseholdFilter[]>([]);

	readonly #data: LiveQuery<string, GridList>;
	readonly #gridId: () => string;
	#timer: ReturnType<typeof setTimeout> | undefined;

	constructor(gridId: () => string) {
		this.#gridId = gridId;
		this.#data = new LiveQuery(gridId, async (db, id) => {
			const started = performance.now();
			const [rows, period] = await Promise.all([gridRows(db, id), coveragePeriod(db, Date.now())]);
			measure('gridcare:household-rows', started);
			const building = performance.now();
			// "Not yet visited" and coverage count over the running check round, else the month.
			const { today } = rangesAt(Date.now());
			const month = period.range;
			// Due visits: today on the deployment's calendar, the community's frequencies as kept.
			const timeZone = deploymentTimeZone();
			const care = {
				today: dayAt(Date.now(), timeZone),
				timeZone,
				frequency: storedVisitFrequency(session.cachedNode(id)?.node.parentCode ?? null)
			};
			const list = {
				summaries: summarizeHouseholds(rows, {
					month,
					tagWords: tagSearchWords,
					compareAddress: collator.compare,
					care
				}),
				coverage: coverageOf(
					rows.households.map((h) => h.id),
					rows.visits,
					month,
					today
				),
				period
			};
			measure('gridcare:household-summaries', building);
			return list;
		});
	}

	/** The grid's data, once loaded for the grid shown now. */
	get data(): GridList | undefined {
		return this.#data.for(this.#gridId());
	}

	get error(): unknown {
		return this.#data.error;
	}

	visible = $derived.by(() => {
		const started = performance.now();
		const shown = filterHouseholds(this.data?.summaries ?? [], this.appliedQuery, this.filters);
		measure('gridcare:household-filter', started);
		return shown;
	});

	/** How many households each filter alone would show. */
	filterCounts = $derived(
		Object.fromEntries(
			HOUSEHOLD_FILTERS.map((filter) => [
				filter,
				filterHouseholds(this.data?.summaries ?? [], '', [filter]).length
			])
		) as Record<HouseholdFilter, number>
	);

	type(text: string): void {
		this.query = text;
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => (this.appliedQuery = text), SEARCH_DEBOUNCE_MS);
	}

	toggle(filter: HouseholdFilter): void {
		this.filters = this.filters.includes(filter)
			? this.filters.filter((f) => f !== filter)
			: [...this.filters, filter];
	}

	clear(): void {
		clearTimeout(this.#timer);
		this.query = '';
		this.appliedQuery = '';
		this.filters = [];
	}

	capture(): ListSnapshot {
		return { query: this.query, filters: [...this.filters] };
	}

	restore(snapshot: ListSnapshot): void {
		clearTimeout(this.#timer);
		this.query = snapshot.query;
		this.appliedQuery = snapshot.query;
		this.filters = snapshot.filters.filter((f) => HOUSEHOLD_FILTERS.includes(f));
	}
}

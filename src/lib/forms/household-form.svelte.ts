// The household form: add (every field) or edit (only the fields that changed). The address is
// composed from estate / building / unit / room boxes, or typed freely for a village.
import type { HouseholdRow } from '$lib/db/db';
import { addHousehold, updateHousehold, type HouseholdChanges } from '$lib/db/repositories';
import { INSERT_FIELDS, textProblem, UPDATE_FIELDS } from '$lib/shared/schemas';
import {
	composeAddress,
	EMPTY_PARTS,
	missingParts,
	parseAddress,
	type AddressMode,
	type AddressParts
} from './address';
import { FormState, localDb } from './form-state.svelte';
import { sameSet, toggled } from './values';
import { fieldProblems, type FieldProblems } from './problems';
import { Geolocator } from './geolocation.svelte';

export class HouseholdFormState extends FormState<HouseholdRow> {
	protected readonly fields = [
		['prefix', 'hh-prefix'],
		['building', 'hh-building'],
		['unit', 'hh-unit'],
		['room', 'hh-room'],
		['address', 'hh-address'],
		['tags', 'hh-tags'],
		['lat', 'hh-locate'],
		['lng', 'hh-locate']
	] as const;

	mode = $state<AddressMode>('building');
	parts = $state<AddressParts>({ ...EMPTY_PARTS });
	freeAddress = $state('');
	tags = $state<string[]>([]);
	readonly location = new Geolocator();

	readonly address = $derived(
		this.mode === 'building' ? composeAddress(this.parts) : this.freeAddress.trim()
	);

	constructor(
		readonly gridId: string,
		/** The household being edited; absent when adding. */
		readonly original: HouseholdRow | null = null
	) {
		super();
		if (original) {
			const parts = parseAddress(original.address);
			this.mode = parts ? 'building' : 'village';
			this.parts = parts ?? { ...EMPTY_PARTS };
			this.freeAddress = parts ? '' : original.address;
			this.tags = [...original.tags];
			if (original.lat !== null && original.lng !== null)
				this.location.set(original.lat, original.lng);
		}
	}

	/** Switch between the composed and the free address without losing what was typed. */
	setMode(mode: AddressMode): void {
		if (mode === this.mode) return;
		if (mode === 'village' && !this.freeAddress.trim()) this.freeAddress = this.address;
		if (mode === 'building' && !composeAddress(this.parts)) {
			const parts = parseAddress(this.freeAddress);
			if (parts) this.parts = parts;
		}
		this.mode = mode;
		this.edited();
	}

	toggleTag(tag: string, on: boolean): void {
		this.tags = toggled(this.tags, tag, on);
		this.edited();
	}

	/** The fields of a new household. */
	#insertFields() {
		const { lat, lng } = this.location;
		return {
			gridId: this.gridId,
			address: this.address,
			tags: this.tags,
			...(lat !== null && lng !== null ? { lat, lng } : {})
		};
	}

	/** Only what differs from the household as it was opened. */
	changes(): HouseholdChanges {
		const original = this.original;
		if (!original) return {};
		const changes: HouseholdChanges = {};
		if (this.address !== original.address) changes.address = this.address;
		if (!sameSet(this.tags, original.tags)) changes.tags = this.tags;
		const { lat, lng } = this.location;
		if (lat !== null && lng !== null && (lat !== original.lat || lng !== original.lng)) {
			changes.lat = lat;
			changes.lng = lng;
		}
		return changes;
	}

	/** An edit that changes nothing is not saved (and not an error). */
	get unchanged(): boolean {
		return this.original !== null && Object.keys(this.changes()).length === 0;
	}

	protected check(): FieldProblems {
		const problems: FieldProblems = {};
		if (this.mode === 'building') {
			for (const part of missingParts(this.parts)) problems[part] = { kind: 'required' };
			// A character the address may not hold is shown on the box it was typed in.
			for (const [part, value] of Object.entries(this.parts)) {
				const problem = textProblem(value);
				if (problem) problems[part] = { kind: problem };
			}
		}
		const schemaProblems = this.original
			? fieldProblems(UPDATE_FIELDS.households, this.changes())
			: fieldProblems(INSERT_FIELDS.households, this.#insertFields());
		// A missing part already says why the composed address is empty.
		if (schemaProblems?.address && Object.keys(problems).length > 0) delete schemaProblems.address;
		return { ...problems, ...schemaProblems };
	}

	protected async save(): Promise<HouseholdRow> {
		const db = localDb();
		if (this.original) return updateHousehold(db, this.original.id, this.changes());
		return addHousehold(db, this.#insertFields());
	}
}

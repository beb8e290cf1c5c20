// What every data-entry form shares: field problems found by the shared schemas (as codes, put
// into words at render time so they follow a language switch), when to show them, saving, and
// the failure of an unexpected kind (storage full, database closed). Values typed are never
// cleared by a failed save: nothing is lost on a validation error.
import { tick } from 'svelte';
import { syncClient } from '$lib/sync/sync.svelte';
import type { GridcareDb } from '$lib/db/db';
import { ValidationError } from '$lib/db/local-rows';
import { fieldErrorText } from './field-text';
import { problemOfValidationError, type FieldProblems } from './problems';

export interface FieldError {
	field: string;
	/** The id of the control to focus for this field. */
	target: string;
	text: string;
}

export abstract class FormState<Saved> {
	/** Fields in screen order, with the id of the control that edits each. */
	protected abstract readonly fields: readonly (readonly [field: string, target: string])[];
	/** Every problem of the current values (client side: the same schemas as the repositories). */
	protected abstract check(): FieldProblems;
	/** Write locally through a repository function. */
	protected abstract save(): Promise<Saved>;

	/** Live problems of the current values. */
	readonly problems = $derived.by(() => this.check());
	/**
	 * Fields whose value is complete (an 18-character ID number, an 11-digit phone): their problems
	 * show while typing. Others wait for the first submit. Never on blur: an error appearing as the
	 * field loses focus moves the save button under the user's finger, and the tap misses it.
	 */
	touched = $state<Record<string, true>>({});
	/** Set by the first submit: from then on every problem shows. */
	attempted = $state(false);
	/** A problem the repository found that the form's own check did not (kept until the next edit). */
	storeProblem = $state<{ field: string; problem: FieldProblems[string] } | null>(null);
	saving = $state(false);
	saved = $state<Saved | null>(null);
	failure = $state<unknown>(null);

	/** The shown problem of a field, in words, or null. */
	errorOf(field: string): string | null {
		if (this.storeProblem?.field === field) return fieldErrorText(field, this.storeProblem.problem);
		const problem = this.problems[field];
		if (!problem || !(this.attempted || this.touched[field])) return null;
		return fieldErrorText(field, problem);
	}

	/** Every shown problem in screen order (the error summary). */
	get errors(): FieldError[] {
		const errors: FieldError[] = [];
		for (const [field, target] of this.fields) {
			const text = this.errorOf(field);
			if (text) errors.push({ field, target, text });
		}
		if (this.storeProblem && !this.fields.some(([field]) => field === this.storeProblem?.field))
			errors.push({
				field: this.storeProblem.field,
				target: '',
				text: fieldErrorText(this.storeProblem.field, this.storeProblem.problem)
			});
		return errors;
	}

	/** Call when a field's value is complete enough to judge. */
	touch(field: string, hasValue: boolean): void {
		if (hasValue && !this.touched[field]) this.touched = { ...this.touched, [field]: true };
	}

	/** Call on any edit: a repository problem is about the old values. */
	edited(): void {
		this.storeProblem = null;
	}

	/**
	 * Check, then save. Returns what was saved, or null with the problems on screen (the caller
	 * moves focus to the first one).
	 */
	async submit(): Promise<Saved | null> {
		if (this.saving) return null;
		this.attempted = true;
		this.failure = null;
		this.storeProblem = null;
		if (Object.keys(this.problems).length > 0) return null;
		this.saving = true;
		try {
			const saved = await this.save();
			this.saved = saved;
			return saved;
		} catch (error) {
			if (error instanceof ValidationError) this.storeProblem = problemOfValidationError(error);
			else this.failure = error;
			return null;
		} finally {
			this.saving = false;
		}
	}

	/** The control of the first shown problem, to move focus there after a failed submit. */
	get firstErrorTarget(): string | null {
		return this.errors.find((error) => error.target)?.target ?? null;
	}

	/** Submit from a form's submit event: hand over what was saved, or focus the first problem. */
	async submitFromEvent(event: SubmitEvent, onsaved: (saved: Saved) => void): Promise<void> {
		event.preventDefault();
		const saved = await this.submit();
		if (saved) {
			onsaved(saved);
			return;
		}
		await tick();
		const target = this.firstErrorTarget;
		if (target) document.getElementById(target)?.focus();
	}
}

/** The signed-in user's database (opened by the sync client; the worker screens wait for it). */
export function localDb(): GridcareDb {
	const db = syncClient.db;
	if (!db) throw new Error('the local database is not open');
	return db;
}

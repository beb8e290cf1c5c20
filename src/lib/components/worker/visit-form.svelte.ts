// The visit form's reactive state; what it means is in visit-drafts.ts (docs/check-templates.md).
import type { GridcareDb, ResidentRow, VisitRow } from '$lib/db/db';
import { recordVisit, ValidationError } from '$lib/db/repositories';
import type { AnswerDraft } from '$lib/domain/answers';
import type { Finding } from '$lib/domain/findings';
import type { CommonNeed } from '$lib/domain/visit-options';
import type { VisitOutcome } from '$lib/shared/enums';
import type { Question, TemplateVersion } from '$lib/shared/templates';
import {
	abnormalCount,
	errorAt,
	findingsOf,
	householdQuestions,
	memberQuestions,
	newDrafts,
	setAllFine,
	visitInput,
	type ErrorKey,
	type FormError,
	type MemberDraft,
	type VisitDrafts
} from './visit-drafts';

export { answerFieldId, HOUSEHOLD, type FormError, type MemberDraft } from './visit-drafts';

export class VisitFormState implements VisitDrafts {
	readonly template: TemplateVersion;
	/** Asked of each member seen. */
	readonly memberQuestions: Question[];
	/** Asked once of the household. */
	readonly householdQuestions: Question[];
	outcome = $state<VisitOutcome>('visited');
	members = $state<MemberDraft[]>([]);
	household = $state<Record<string, AnswerDraft>>({});
	needs = $state<CommonNeed[]>([]);
	otherNeeds = $state('');
	note = $state('');
	errors = $state.raw<FormError[]>([]);
	saving = $state(false);

	constructor(residents: readonly ResidentRow[], template: TemplateVersion) {
		this.template = template;
		this.memberQuestions = memberQuestions(template);
		this.householdQuestions = householdQuestions(template);
		const drafts = newDrafts(residents, template);
		this.members = drafts.members;
		this.household = drafts.household;
	}

	/** Abnormal findings of a member (resident id) or the household (HOUSEHOLD) so far. */
	findingsOf(who: string): Finding[] {
		return findingsOf(this, this.template, who);
	}

	/** How many answers are abnormal so far. */
	get abnormalCount(): number {
		return abnormalCount(this, this.template);
	}

	errorFor(key: ErrorKey): FormError | undefined {
		return this.errors.find((error) => error.key === key);
	}

	/** Everyone at home was seen and is fine: the routine visit. */
	setAllFine(): void {
		setAllFine(this, this.template);
		this.errors = [];
	}

	/** Save on this device (queued for sync); null with `errors` set when something is wrong. */
	async save(db: GridcareDb, householdId: string, atMs = Date.now()): Promise<VisitRow | null> {
		const input = visitInput(this, this.template, householdId, atMs);
		if (Array.isArray(input)) {
			this.errors = input;
			return null;
		}
		this.saving = true;
		try {
			const visit = await recordVisit(db, input);
			this.errors = [];
			return visit;
		} catch (error) {
			if (!(error instanceof ValidationError)) throw error;
			this.errors = [errorAt(this, this.template, error.field, error.message)];
			return null;
		} finally {
			this.saving = false;
		}
	}
}

// Which forms on the page hold input a person typed and has not saved yet, so that an app update
// (which reloads the page) never throws it away unasked.
//
// Every form in the page's main area counts, without each form having to report: a form becomes
// "unsaved" at the first thing the person types, ticks or picks in it, and stops being so when it
// leaves the page (the saved panel replaces it, or the person went elsewhere) or when a form that
// stays on screen after saving says so with `saved()`.

/** The part of the page whose forms hold a person's work (not the lock screen or the header). */
const MAIN_AREA = '#main';

export class UnsavedInput {
	#forms = new Set<HTMLFormElement>();

	/** Start following input on this document; returns the function that stops it. */
	watch(doc: Document = document): () => void {
		const mark = (event: Event) => {
			// Values set by the app itself (isTrusted false) are not a person's work.
			if (!event.isTrusted) return;
			const form = formOf(event.target);
			if (form?.closest(MAIN_AREA)) this.#forms.add(form);
		};
		doc.addEventListener('input', mark, true);
		doc.addEventListener('change', mark, true);
		return () => {
			doc.removeEventListener('input', mark, true);
			doc.removeEventListener('change', mark, true);
		};
	}

	/** A form that stays on screen after saving: what it shows now is saved. */
	saved(form: HTMLFormElement | null | undefined): void {
		if (form) this.#forms.delete(form);
	}

	/** The person chose to leave or reload without saving: no form holds input worth asking about. */
	discard(): void {
		this.#forms.clear();
	}

	/** The forms still on the page with input not saved, in page order. */
	forms(): HTMLFormElement[] {
		for (const form of this.#forms) if (!form.isConnected) this.#forms.delete(form);
		return [...this.#forms].sort((a, b) =>
			a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1
		);
	}
}

function formOf(target: EventTarget | null): HTMLFormElement | null {
	if (!(target instanceof Element)) return null;
	const owner = (target as Partial<HTMLInputElement>).form;
	return owner instanceof HTMLFormElement ? owner : target.closest('form');
}

export const unsavedInput = new UnsavedInput();

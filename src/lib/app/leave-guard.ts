// Leaving a form with input not saved asks first, in every form that carries `askBeforeLeaving`
// (the entry forms: household, resident, visit, incident, settings, check round, map tiles…).
// One guard, started by the root layout, covers them all: SvelteKit's beforeNavigate for moves
// inside the app (a link, the back button), and the browser's beforeunload for closing the tab,
// reloading or going to another site. Which forms hold input is followed by unsaved-input.ts.
import { onMount } from 'svelte';
import { beforeNavigate } from '$app/navigation';
import { m } from '$lib/paraglide/messages';
import { asksBeforeNavigating, guardedForms } from './leave-rules';
import { unsavedInput } from './unsaved-input';

export { askBeforeLeaving } from './leave-rules';

/** Start the guard; call once, while the root layout initialises. */
export function guardUnsavedInput(ask: (question: string) => boolean = (q) => confirm(q)): void {
	const unsaved = () => guardedForms(unsavedInput.forms()).length;
	beforeNavigate((navigation) => {
		const move = {
			type: navigation.type,
			willUnload: navigation.willUnload,
			from: navigation.from?.url ?? null,
			to: navigation.to?.url ?? null
		};
		if (!asksBeforeNavigating(move, unsaved())) return;
		// Leaving was chosen: what the forms held is given up (nothing asks again on the way out).
		if (ask(m.leave_unsaved_confirm())) unsavedInput.discard();
		else navigation.cancel();
	});
	onMount(() => {
		const onBeforeUnload = (event: BeforeUnloadEvent) => {
			if (unsaved() === 0) return;
			// The browser asks in its own words; both are needed across browsers.
			event.preventDefault();
			event.returnValue = '';
		};
		window.addEventListener('beforeunload', onBeforeUnload);
		return () => window.removeEventListener('beforeunload', onBeforeUnload);
	});
}

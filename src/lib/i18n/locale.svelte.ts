// The interface language. Paraglide resolves the first choice (localStorage, then the
// browser's languages, then Chinese); this class keeps it in a rune so that every
// m.*() call in a template re-renders when the user switches, without a page reload.
import {
	baseLocale,
	getLocale,
	isLocale,
	locales,
	overwriteGetLocale,
	setLocale,
	type Locale
} from '$lib/paraglide/runtime';

class LocaleManager {
	current = $state<Locale>(baseLocale);
	readonly available = locales;
	#started = false;

	/** Resolve the stored or preferred language and make message lookups reactive. Browser only. */
	start(): void {
		if (this.#started) return;
		this.#started = true;
		const resolved = getLocale();
		this.current = isLocale(resolved) ? resolved : baseLocale;
		overwriteGetLocale(() => this.current);
		document.documentElement.lang = this.current;
	}

	/** Switch language now and remember the choice on this device. */
	set(locale: Locale): void {
		void setLocale(locale, { reload: false });
		this.current = locale;
		document.documentElement.lang = locale;
	}
}

export const i18n = new LocaleManager();

// Display and voice modes (README, "Display modes"): standard, 长辈版 elderly, high contrast
// (combinable with elderly) and voice. A mode is a set of design tokens switched by attributes on
// <html> (`data-elderly`, `data-contrast="high"`, see app.css), never a second stylesheet.
//
// The choice is kept per device in localStorage and applied when this module is first imported
// (the root layout's module code, before the first screen renders), so there is no flash of the
// standard look and no inline script for the Content Security Policy to allow.
import { voice } from './modes-voice.svelte';

const STORAGE_KEY = 'gridcare:modes';
/** The modes staff chose when they enrolled this device as a kiosk. */
const KIOSK_KEY = 'gridcare:kiosk-modes';

/** What a person chose on this device; `undefined` leaves the screen's own default. */
export interface ModeChoice {
	elderly?: boolean;
	highContrast?: boolean;
	voice?: boolean;
}

function readChoice(): ModeChoice {
	try {
		const raw = localStorage.getItem(STORAGE_KEY);
		const parsed: unknown = raw ? JSON.parse(raw) : {};
		if (!parsed || typeof parsed !== 'object') return {};
		const { elderly, highContrast, voice } = parsed as Record<string, unknown>;
		const flag = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
		return { elderly: flag(elderly), highContrast: flag(highContrast), voice: flag(voice) };
	} catch {
		return {};
	}
}

/**
 * What a kiosk's screens always show, set by staff at enrolment: whoever stands at the kiosk may
 * add to it (high contrast, voice) but never go below it.
 */
export interface KioskModes {
	elderly: boolean;
	highContrast: boolean;
}

/** A kiosk enrolled before staff chose: elderly mode, as kiosk screens have always started. */
export const DEFAULT_KIOSK_MODES: KioskModes = { elderly: true, highContrast: false };

function readKioskModes(): KioskModes {
	try {
		const raw = localStorage.getItem(KIOSK_KEY);
		const parsed: unknown = raw ? JSON.parse(raw) : null;
		if (!parsed || typeof parsed !== 'object') return DEFAULT_KIOSK_MODES;
		const { elderly, highContrast } = parsed as Record<string, unknown>;
		return {
			elderly: typeof elderly === 'boolean' ? elderly : DEFAULT_KIOSK_MODES.elderly,
			highContrast:
				typeof highContrast === 'boolean' ? highContrast : DEFAULT_KIOSK_MODES.highContrast
		};
	} catch {
		return DEFAULT_KIOSK_MODES;
	}
}

/** The kiosk's screens start in elderly mode; every other screen in standard mode. */
export function elderlyByDefault(pathname: string): boolean {
	return /^\/kiosk(\/|$)/.test(pathname);
}

class Modes {
	#choice = $state<ModeChoice>(readChoice());
	/** Whether the current screen defaults to elderly mode (set from the route). */
	#elderlyScreen = $state(
		typeof location === 'undefined' ? false : elderlyByDefault(location.pathname)
	);
	#prefersMoreContrast = $state(
		typeof matchMedia === 'undefined' ? false : matchMedia('(prefers-contrast: more)').matches
	);

	#kioskModes = $state<KioskModes>(
		typeof localStorage === 'undefined' ? DEFAULT_KIOSK_MODES : readKioskModes()
	);

	/** On a kiosk screen, the modes nobody there can switch off; null elsewhere. */
	floor = $derived<KioskModes | null>(this.#elderlyScreen ? this.#kioskModes : null);
	elderly = $derived(!!this.floor?.elderly || (this.#choice.elderly ?? this.#elderlyScreen));
	highContrast = $derived(
		!!this.floor?.highContrast || (this.#choice.highContrast ?? this.#prefersMoreContrast)
	);
	voice = $derived((this.#choice.voice ?? false) && voice.available);

	constructor() {
		if (typeof matchMedia !== 'undefined')
			matchMedia('(prefers-contrast: more)').addEventListener('change', (event) => {
				this.#prefersMoreContrast = event.matches;
				this.apply();
			});
		this.apply();
	}

	/** The route changed: kiosk screens default to elderly mode. */
	onRoute(pathname: string): void {
		this.#elderlyScreen = elderlyByDefault(pathname);
		this.apply();
	}

	set(change: ModeChoice): void {
		this.#choice = { ...this.#choice, ...change };
		try {
			localStorage.setItem(STORAGE_KEY, JSON.stringify(this.#choice));
		} catch {
			// Storage blocked: the mode holds for this visit only.
		}
		this.apply();
	}

	/** Staff enrolling this device as a kiosk set what its screens always show. */
	setKioskModes(kiosk: KioskModes): void {
		this.#kioskModes = { ...kiosk };
		try {
			localStorage.setItem(KIOSK_KEY, JSON.stringify(this.#kioskModes));
		} catch {
			// Storage blocked: the kiosk's modes hold for this visit only.
		}
		this.apply();
	}

	/** Put the current modes on <html>, where the design tokens read them. */
	apply(): void {
		if (typeof document === 'undefined') return;
		const root = document.documentElement;
		root.toggleAttribute('data-elderly', this.elderly);
		if (this.highContrast) root.dataset.contrast = 'high';
		else delete root.dataset.contrast;
		root.toggleAttribute('data-voice', this.voice);
		voice.enabled = this.voice;
	}
}

export const modes = new Modes();

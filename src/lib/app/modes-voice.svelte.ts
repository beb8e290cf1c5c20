// Voice mode (语音): prompts and the focused control read aloud through the browser's
// speechSynthesis with a zh-CN voice, a local one when there is (it works offline). Speech is
// never the only channel: everything spoken is also on screen. When the device has no zh-CN
// voice the switch hides itself (`available` is false).

const LANG = 'zh-CN';

/** A voice for `lang`: a local (offline) one first, then any. */
export function pickVoice(
	voices: readonly SpeechSynthesisVoice[],
	lang = LANG
): SpeechSynthesisVoice | null {
	const base = lang.toLowerCase();
	const matching = voices.filter((v) => v.lang.replace('_', '-').toLowerCase() === base);
	return matching.find((v) => v.localService) ?? matching[0] ?? null;
}

/** The words a control says about itself: its label, else its text. */
export function accessibleText(element: Element): string {
	const label = element.getAttribute('aria-label');
	if (label) return label.trim();
	const labelledBy = element.getAttribute('aria-labelledby');
	if (labelledBy) {
		const text = labelledBy
			.split(/\s+/)
			.map((id) => document.getElementById(id)?.textContent?.trim() ?? '')
			.join(' ')
			.trim();
		if (text) return text;
	}
	if (element instanceof HTMLInputElement && element.labels?.length)
		return Array.from(element.labels, (l) => l.textContent?.trim() ?? '').join(' ');
	return (element.textContent ?? '').replace(/\s+/g, ' ').trim();
}

class Voice {
	/** A zh-CN voice exists on this device. */
	available = $state(false);
	/** Voice mode is on (set by modes.svelte.ts). */
	enabled = false;
	#voice: SpeechSynthesisVoice | null = null;
	#started = false;

	/** Look for a voice now and whenever the list changes (it loads late in Chromium). */
	start(): void {
		if (this.#started || typeof speechSynthesis === 'undefined') return;
		this.#started = true;
		const refresh = () => {
			this.#voice = pickVoice(speechSynthesis.getVoices());
			this.available = this.#voice !== null;
		};
		refresh();
		speechSynthesis.addEventListener?.('voiceschanged', refresh);
		document.addEventListener('focusin', (event) => {
			const target = event.target;
			if (!this.enabled || !(target instanceof Element) || target.matches('main, body')) return;
			const text = accessibleText(target);
			if (text) this.say(text);
		});
	}

	/** Say `text` when voice mode is on, cutting off what was being said. */
	say(text: string): void {
		if (!this.enabled || !this.#voice || typeof speechSynthesis === 'undefined') return;
		speechSynthesis.cancel();
		const utterance = new SpeechSynthesisUtterance(text);
		utterance.lang = LANG;
		utterance.voice = this.#voice;
		// A little slower than the default: easier to follow for older listeners.
		utterance.rate = 0.9;
		speechSynthesis.speak(utterance);
	}
}

export const voice = new Voice();

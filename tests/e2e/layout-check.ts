// What a screen's layout must never do, measured in the page: break a line inside a word (Chinese
// has no spaces, so a narrow box otherwise wraps "锁屏" as "锁/屏"), or reach past the right edge
// of the viewport (a page that scrolls sideways on a phone).
import type { Page } from 'playwright-core';

/**
 * Every layout problem on the page as it is now, one line each, naming the word or the element.
 *
 * - Words as `Intl.Segmenter('zh-CN', { granularity: 'word' })` finds them in each visible text
 *   node: every word-like segment of two or more characters has all its characters on one line
 *   (the same top, within half a character's height, by `Range.getClientRects`).
 * - The page does not scroll sideways (`scrollWidth <= innerWidth`), and no element's right edge
 *   is beyond the viewport unless a container of it scrolls or clips horizontally (a wide table
 *   inside its own scroller, a map's tiles).
 */
export async function layoutProblems(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const problems: string[] = [];
		const viewportWidth = window.innerWidth;

		/** A short name for an element: tag, id or classes, and the start of its text. */
		const describe = (element: Element): string => {
			const id = element.id ? `#${element.id}` : '';
			const classes = [...element.classList]
				.filter((c) => !c.startsWith('svelte-'))
				.map((c) => `.${c}`)
				.join('');
			const text = (element.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40);
			return `<${element.tagName.toLowerCase()}${id}${classes}>${text ? ` "${text}"` : ''}`;
		};

		const clippedCache = new Map<Element, boolean>();
		/** Clipped to nothing, itself or by an ancestor (text shown only to screen readers). */
		const clipped = (element: Element | null): boolean => {
			if (!element) return false;
			let result = clippedCache.get(element);
			if (result === undefined) {
				const style = getComputedStyle(element);
				result =
					style.clip !== 'auto' || style.clipPath !== 'none' || clipped(element.parentElement);
				clippedCache.set(element, result);
			}
			return result;
		};
		/** Hidden from sight, or shown only to screen readers. */
		const unseen = (element: Element): boolean =>
			!element.checkVisibility({ visibilityProperty: true }) || clipped(element);

		/** Whether a container of the element scrolls or clips sideways, so it cannot widen the page. */
		const insideHorizontalContainer = (element: Element): boolean => {
			for (let e = element.parentElement; e && e !== document.body; e = e.parentElement) {
				const overflowX = getComputedStyle(e).overflowX;
				if (overflowX !== 'visible') return true;
			}
			return false;
		};

		const scrolling = document.scrollingElement ?? document.documentElement;
		if (scrolling.scrollWidth > viewportWidth)
			problems.push(
				`the page scrolls sideways: ${scrolling.scrollWidth} px wide in a ${viewportWidth} px viewport`
			);

		for (const element of document.body.querySelectorAll('*')) {
			if (element.closest('script, style, template') || unseen(element)) continue;
			const rect = element.getBoundingClientRect();
			if (rect.width === 0 || rect.height === 0) continue;
			if (rect.right > viewportWidth + 1 && !insideHorizontalContainer(element))
				problems.push(
					`${describe(element)} reaches ${Math.round(rect.right)} px, past the ${viewportWidth} px viewport`
				);
		}

		const segmenter = new Intl.Segmenter('zh-CN', { granularity: 'word' });
		const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		const range = document.createRange();
		for (let node = walker.nextNode(); node; node = walker.nextNode()) {
			const text = node as Text;
			const parent = text.parentElement;
			if (!parent || !text.data.trim()) continue;
			if (parent.closest('script, style, template, textarea, select, option')) continue;
			if (unseen(parent)) continue;
			for (const segment of segmenter.segment(text.data)) {
				if (!segment.isWordLike) continue;
				const characters = [...segment.segment];
				if (characters.length < 2) continue;
				// Quick look: a word on one line gives one box for the whole word.
				range.setStart(text, segment.index);
				range.setEnd(text, segment.index + segment.segment.length);
				if (range.getClientRects().length <= 1) continue;
				// Then character by character, to show where the line broke.
				const lines: { top: number; height: number; text: string }[] = [];
				let offset = segment.index;
				for (const character of characters) {
					range.setStart(text, offset);
					range.setEnd(text, offset + character.length);
					offset += character.length;
					const box = [...range.getClientRects()].find((r) => r.width > 0 && r.height > 0);
					if (!box) continue;
					const line = lines.at(-1);
					if (line && Math.abs(box.top - line.top) <= Math.min(line.height, box.height) / 2)
						line.text += character;
					else lines.push({ top: box.top, height: box.height, text: character });
				}
				if (lines.length > 1)
					problems.push(
						`"${lines.map((l) => l.text).join('/')}" breaks across lines in ${describe(parent)}`
					);
			}
		}
		return problems;
	});
}

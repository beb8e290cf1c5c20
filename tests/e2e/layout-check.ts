// What a person sees go wrong with a layout, checked in the page: a word broken across two lines
// (as Intl.Segmenter finds words: 去看医生 must not end one line with 去看医 and start the next
// with 生), and a page wider than the window (sideways scrolling).
import type { Page } from 'playwright-core';

/** Every layout problem on the page as it is now, in words; empty when there is none. */
export async function layoutProblems(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const problems: string[] = [];
		const scroller = document.scrollingElement ?? document.documentElement;
		if (scroller.scrollWidth > innerWidth)
			problems.push(`wider than the window: ${scroller.scrollWidth} > ${innerWidth} px`);

		const segmenter = new Intl.Segmenter('zh-CN', { granularity: 'word' });
		const range = document.createRange();
		const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		for (let node = walker.nextNode(); node; node = walker.nextNode()) {
			const text = node.nodeValue ?? '';
			const parent = node.parentElement;
			if (!text.trim() || !parent) continue;
			if (!parent.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
			for (const { segment, index, isWordLike } of segmenter.segment(text)) {
				if (!isWordLike) continue;
				// Where each character of the word lands; a later one on a lower line and further
				// left than the one before it is on the next line.
				let previous: DOMRect | null = null;
				let offset = index;
				for (const char of segment) {
					range.setStart(node, offset);
					range.setEnd(node, offset + char.length);
					offset += char.length;
					const box = range.getClientRects()[0];
					if (!box || box.width === 0) continue;
					if (
						previous &&
						box.top >= previous.top + previous.height / 2 &&
						box.left < previous.left
					) {
						problems.push(`"${segment}" is broken across lines in "${text.trim().slice(0, 40)}"`);
						break;
					}
					previous = box;
				}
			}
		}
		return problems;
	});
}

// Where a line may break in text without spaces or punctuation. The screens keep words whole
// (`word-break: keep-all` in app.css), so such a run, an address like 民生路138号1栋1单元101室,
// would otherwise only break where it overflows, inside a word. Splitting it into words lets the
// page mark a break opportunity (<wbr>) between each two.

const segmenter = new Intl.Segmenter('zh-CN', { granularity: 'word' });

/** The text cut into words and what lies between them; joined, the parts give the text back. */
export function wordParts(text: string): string[] {
	return Array.from(segmenter.segment(text), (part) => part.segment);
}

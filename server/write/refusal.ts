// Why the write path refuses an operation. Thrown before the operation's first write, so a
// refused operation leaves no trace; the push answers it as `rejected`, an online route as an
// HTTP error whose status follows the kind.

/** invalid: the input is wrong (400); forbidden: not this actor's to do (403); illegal: not
 * from the row's present state (409); missing: no such row (404). */
export type RefusalKind = 'invalid' | 'forbidden' | 'illegal' | 'missing';

export class WriteRefusal extends Error {
	constructor(
		/** "<field>: <why>", the field as the push names it (`fields.status`, `rowId`, …). */
		message: string,
		readonly kind: RefusalKind = 'invalid'
	) {
		super(message);
		this.name = 'WriteRefusal';
	}
}

export function refuse(message: string, kind: RefusalKind = 'invalid'): never {
	throw new WriteRefusal(message, kind);
}

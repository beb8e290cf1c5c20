// Structured logs: one JSON object per line, never carrying a value a person typed (errorFields).

export type LogSink = (line: string) => void;

export const stdoutSink: LogSink = (line) => process.stdout.write(line + '\n');

export function logLine(sink: LogSink, level: 'info' | 'warn' | 'error', msg: string, fields = {}) {
	sink(JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields }));
}

// The one place an error becomes log fields. Messages are never logged: a database error's
// message quotes the statement's parameters (drizzle's "params: …" line), PostgreSQL's `detail`
// quotes key values ("Key (phone)=(…) already exists"), and many driver messages quote the
// offending input. What is kept identifies the failure without any value in it.
const CODE = /^[A-Za-z0-9_.-]{1,64}$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;
const FRAME = /^ {4}at [^\n]*:\d+:\d+\)?$/;
const MAX_FRAMES = 5;
const MAX_QUERY = 400;

type ErrorLike = Error & Record<string, unknown>;

/** The error's class: `name` when it was given one, else the constructor's name. */
function kindOf(error: unknown): string {
	if (!(error instanceof Error)) return typeof error;
	const ctor = (error as { constructor?: { name?: unknown } }).constructor?.name;
	const name = typeof error.name === 'string' && CODE.test(error.name) ? error.name : 'Error';
	return name === 'Error' && typeof ctor === 'string' && CODE.test(ctor) ? ctor : name;
}

/** The chain error → cause → cause…, at most four deep. */
function chain(error: unknown): ErrorLike[] {
	const errors: ErrorLike[] = [];
	for (let e = error; e instanceof Error && errors.length < 4; e = e.cause)
		errors.push(e as ErrorLike);
	return errors;
}

/** The statement without its parameters; quoted literals and long numbers blanked in case. */
function statement(query: unknown): string | undefined {
	if (typeof query !== 'string') return undefined;
	const text = query
		.replace(/'(?:[^']|'')*'/g, "'?'")
		.replace(/\d{5,}/g, '#')
		.replace(/\s+/g, ' ')
		.trim();
	return text.length > MAX_QUERY ? `${text.slice(0, MAX_QUERY)}…` : text;
}

/**
 * Stack frames only. V8 starts a stack with "<name>: <message>" (the message may span lines):
 * that header is cut off whole; a stack in any other shape keeps only lines that look like frames.
 */
function frames(error: Error): string | undefined {
	const stack = typeof error.stack === 'string' ? error.stack : '';
	const header = `${error.name}: ${error.message}`;
	const rest = stack.startsWith(header) ? stack.slice(header.length) : stack;
	const lines = rest
		.split('\n')
		.filter((line) => FRAME.test(line))
		.slice(0, MAX_FRAMES);
	return lines.length ? lines.join('\n') : undefined;
}

/** Log fields for an error: class, database code, failing statement (no values), frames. */
export function errorFields(error: unknown): Record<string, string> {
	const fields: Record<string, string> = { error: kindOf(error) };
	const errors = chain(error);
	const causes = errors.slice(1).map(kindOf);
	if (causes.length) fields.cause = causes.join(' < ');
	for (const e of errors) {
		// SQLite: SQLITE_CONSTRAINT_…; PostgreSQL: the SQLSTATE (23505, P0001…).
		if (!fields.code && typeof e.code === 'string' && CODE.test(e.code)) fields.code = e.code;
		// PostgreSQL names the constraint, table and column (identifiers, never values).
		for (const [from, to] of [
			['constraint_name', 'constraint'],
			['table_name', 'table'],
			['column_name', 'column']
		] as const)
			if (!fields[to] && typeof e[from] === 'string' && IDENTIFIER.test(e[from]))
				fields[to] = e[from];
		// drizzle's query error carries the statement apart from its params.
		if (!fields.query) {
			const query = statement(e.query);
			if (query) fields.query = query;
		}
	}
	if (error instanceof Error) {
		const stack = frames(error);
		if (stack) fields.stack = stack;
	}
	return fields;
}

/** One line for a person (the CLI's stderr): the same fields, without the frames. */
export function errorSummary(error: unknown): string {
	const { error: kind, code, constraint, query } = errorFields(error);
	return [kind, code && `(${code})`, constraint && `on ${constraint}`, query && `in: ${query}`]
		.filter(Boolean)
		.join(' ');
}

// Where a roster import stands on screen (docs/imports.md): choose a file, upload it and see the
// server's check, change the sheet or the columns and check again, import, see the result. Nothing
// is written before `commit`; the file stays in memory so that a new choice re-sends it.
import { session } from '$lib/app/session.svelte';
import {
	commitImport,
	ImportError,
	isRosterFile,
	readImport,
	uploadRoster,
	type ColumnMapping,
	type ImportPreview,
	type ImportSummary,
	type ReadContext
} from './import-api';

export type ImportPhase = 'choose' | 'uploading' | 'checking' | 'preview' | 'committing' | 'done';

/** How often the import's progress is asked for while it is written. */
const POLL_MS = 700;

export class ImportFlow {
	phase = $state<ImportPhase>('choose');
	file = $state.raw<File | null>(null);
	/** Bytes of the file sent so far, and its size. */
	sent = $state(0);
	size = $state(0);
	preview = $state.raw<ImportPreview | null>(null);
	/** Rows written so far while committing, out of all. */
	progress = $state({ done: 0, total: 0 });
	result = $state.raw<ImportSummary | null>(null);
	error = $state.raw<ImportError | null>(null);
	/** A file of another type was chosen: its name. */
	wrongType = $state<string | null>(null);
	/** The file has no column the server recognised as 姓名: its columns, to choose from. */
	needsName = $state.raw<ReadContext | null>(null);

	readonly community: string;
	/** Column choices made so far, re-sent with every new check of the same file. */
	#mapping: ColumnMapping = {};

	constructor(community: string) {
		this.community = community;
	}

	/** A file was chosen or dropped: check it (nothing is written yet). */
	async choose(file: File): Promise<void> {
		this.error = null;
		this.wrongType = null;
		if (!isRosterFile(file)) {
			this.wrongType = file.name;
			return;
		}
		this.file = file;
		this.preview = null;
		this.needsName = null;
		this.#mapping = {};
		await this.#upload({});
	}

	/** The column holding the names, chosen when the server recognised none. */
	async chooseNameColumn(index: number): Promise<void> {
		const sheet = this.needsName?.sheet;
		this.needsName = null;
		this.#mapping = { name: index };
		await this.#upload({ sheet });
	}

	/** Check the same file again with another sheet or other column choices. */
	async recheck(sheet: string, mapping: ColumnMapping): Promise<void> {
		const sheetChanged = sheet !== this.preview?.sheet;
		// Another sheet has other columns: earlier choices were about the columns of the first one.
		this.#mapping = sheetChanged ? {} : { ...this.#mapping, ...mapping };
		await this.#upload({ sheet });
	}

	/** Whether grids named in the file that do not exist are created (the counts change with it). */
	async setCreateGrids(createGrids: boolean): Promise<void> {
		await this.#upload({ sheet: this.preview?.sheet, createGrids });
	}

	async #upload({ sheet, createGrids }: { sheet?: string; createGrids?: boolean }) {
		const file = this.file;
		const token = session.token;
		if (!file) return;
		if (!token) {
			this.error = new ImportError('session');
			return;
		}
		const before = this.phase === 'preview' ? 'preview' : 'choose';
		this.error = null;
		this.sent = 0;
		this.size = file.size;
		this.phase = 'uploading';
		try {
			const preview = await uploadRoster(
				file,
				{
					community: this.community,
					sheet,
					mapping: this.#mapping,
					createGrids: createGrids ?? this.preview?.createGrids ?? false
				},
				token,
				{
					onProgress: (sent, total) => {
						this.sent = sent;
						this.size = total;
					},
					onUploaded: () => (this.phase = 'checking')
				}
			);
			this.preview = preview;
			this.phase = 'preview';
		} catch (error) {
			const failure = error instanceof ImportError ? error : new ImportError('server');
			if (failure.code === 'no_name_column' && failure.context && before === 'choose')
				this.needsName = failure.context;
			else this.error = failure;
			this.phase = before;
		}
	}

	/** Write the checked rows; the progress is read from the server until the summary comes. */
	async commit(): Promise<void> {
		const preview = this.preview;
		const token = session.token;
		if (!preview || !token || this.phase !== 'preview') return;
		this.error = null;
		this.progress = { done: 0, total: preview.counts.rows };
		this.phase = 'committing';
		let polling = true;
		const poll = async () => {
			while (polling) {
				await new Promise((done) => setTimeout(done, POLL_MS));
				if (!polling) return;
				const now = await readImport(preview.id, token).catch(() => null);
				if (polling && now?.progress && now.progress.total > 0) this.progress = now.progress;
			}
		};
		void poll();
		try {
			this.#finish(await commitImport(preview.id, token));
		} catch (error) {
			// The answer may be lost while the server goes on writing (a proxy's timeout): ask it.
			const failure = error instanceof ImportError ? error : new ImportError('server');
			const outcome = await this.#awaitOutcome(preview.id, token, failure);
			if (outcome) this.#finish(outcome);
			else {
				this.error = failure;
				this.phase = 'preview';
			}
		} finally {
			polling = false;
		}
	}

	async #awaitOutcome(
		id: string,
		token: string,
		failure: ImportError
	): Promise<ImportSummary | null> {
		if (failure.failure !== 'offline' && failure.failure !== 'already') return null;
		for (let attempt = 0; attempt < 600; attempt++) {
			const now = await readImport(id, token).catch(() => null);
			if (!now) return null;
			if (now.result) return now.result;
			if (now.status !== 'committing') return null;
			if (now.progress) this.progress = now.progress;
			await new Promise((done) => setTimeout(done, POLL_MS));
		}
		return null;
	}

	#finish(summary: ImportSummary) {
		this.result = summary;
		this.progress = { done: this.progress.total, total: this.progress.total };
		this.phase = 'done';
	}

	/** Back to step 1, for another file. */
	reset(): void {
		this.phase = 'choose';
		this.file = null;
		this.preview = null;
		this.result = null;
		this.error = null;
		this.wrongType = null;
		this.needsName = null;
		this.#mapping = {};
	}
}

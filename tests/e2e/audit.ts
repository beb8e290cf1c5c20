// What the server's audit trail holds, read straight from its SQLite file.
import Database from 'better-sqlite3';
import type { RunningServer } from './fixtures';

/** The unmask entries, oldest first. */
export function unmaskEntries(server: RunningServer) {
	const db = new Database(server.databasePath, { readonly: true, fileMustExist: true });
	try {
		return db
			.prepare(
				"SELECT user_id, reason, subject_id, details FROM audit_entries WHERE action = 'unmask' ORDER BY at"
			)
			.all() as { user_id: string; reason: string; subject_id: string; details: string }[];
	} finally {
		db.close();
	}
}

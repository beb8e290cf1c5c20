// One statement on the database behind a test store, outside the Store interface: for rows the
// write path would refuse today, and for what the database itself must refuse.
import Database from 'better-sqlite3';
import postgres from 'postgres';

/** Run one statement on the database at `url` (`file:` SQLite or `postgres://`). */
export async function rawSql(url: string, statement: string): Promise<void> {
	if (url.startsWith('file:')) {
		const client = new Database(url.slice('file:'.length));
		try {
			client.exec(statement);
		} finally {
			client.close();
		}
		return;
	}
	const client = postgres(url, { max: 1, onnotice: () => {} });
	try {
		await client.unsafe(statement);
	} finally {
		await client.end();
	}
}

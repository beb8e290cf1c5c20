import { fileURLToPath } from 'node:url';

/** drizzle/<dialect>/ at the repository root, wherever the process was started. */
export function migrationsFolder(dialect: 'sqlite' | 'pg'): string {
	return fileURLToPath(new URL(`../../drizzle/${dialect}`, import.meta.url));
}

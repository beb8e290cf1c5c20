import { describe, expect, it } from 'vitest';
import { databaseTarget, maskDatabaseUrl, readReplicaUrl } from './database-url';

describe('DATABASE_URL', () => {
	it.each([
		[
			'postgres://gridcare:s3cret@db.example.cn:5432/gridcare',
			'postgres://gridcare:***@db.example.cn:5432/gridcare'
		],
		['postgresql://gridcare@db/gridcare', 'postgresql://gridcare@db/gridcare'],
		['postgres://:s3cret@db/gridcare', 'postgres://:***@db/gridcare'],
		// An unescaped @ or / in the password: everything up to the last @ is user information.
		['postgres://u:s3@c/r#et@db/gridcare', 'postgres://u:***@db/gridcare'],
		[
			'postgres://u:p@ss@db/gridcare?sslmode=require',
			'postgres://u:***@db/gridcare?sslmode=require'
		],
		['postgres://db/gridcare?user=u&password=s3cret', 'postgres://db/gridcare?user=u&password=***'],
		['file:./data/gridcare.db', 'file:./data/gridcare.db']
	])('masks the password of %s', (url, masked) => {
		expect(maskDatabaseUrl(url)).toBe(masked);
	});

	it('names SQLite and PostgreSQL, and refuses anything else naming the variable', () => {
		expect(databaseTarget('file:/var/lib/gridcare/gridcare.db')).toEqual({
			kind: 'sqlite',
			path: '/var/lib/gridcare/gridcare.db'
		});
		expect(databaseTarget('postgresql://db/gridcare').kind).toBe('postgres');
		expect(() => databaseTarget('mysql://u:s3cret@db/gridcare')).toThrow(
			'DATABASE_URL: expected file:<path>, postgres://… or postgresql://…, got "mysql://u:***@db/gridcare"'
		);
		expect(() => databaseTarget('file:')).toThrow(/^DATABASE_URL: /);
	});

	it('takes a PostgreSQL read replica of a PostgreSQL primary, and nothing else', () => {
		const primary = 'postgres://gridcare:s3cret@db1/gridcare';
		const replica = 'postgresql://gridcare:s3cret@db2/gridcare';
		expect(readReplicaUrl(undefined, primary)).toBeUndefined();
		expect(readReplicaUrl('', primary)).toBeUndefined();
		expect(readReplicaUrl(replica, primary)).toBe(replica);
		expect(() => readReplicaUrl('file:/var/lib/gridcare/replica.db', primary)).toThrow(
			/^DATABASE_READ_URL: a read replica is a PostgreSQL standby/
		);
		expect(() => readReplicaUrl('mysql://u:s3cret@db/gridcare', primary)).toThrow(
			'DATABASE_READ_URL: expected file:<path>, postgres://… or postgresql://…, got "mysql://u:***@db/gridcare"'
		);
		expect(() => readReplicaUrl(replica, 'file:./data/gridcare.db')).toThrow(
			/^DATABASE_READ_URL: needs DATABASE_URL on PostgreSQL/
		);
	});
});

import { hostname } from 'node:os';

/** This server process as job records and database connections name it: host and pid. */
export const PROCESS_NAME = `${hostname()}:${process.pid}`;

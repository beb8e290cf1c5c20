// `gridcare serve` and its port: is PORT free before the server starts, and why not, in one line
// naming the variable (README, "Configuration").
import { createServer } from 'node:net';

/** Why the port cannot be listened on: one line naming PORT, as the CLI prints it. */
export function listenError(
	error: NodeJS.ErrnoException & { port?: number },
	port: number | undefined = error.port
): Error {
	if (error.code === 'EADDRINUSE')
		return new Error(`PORT: ${port} is already in use (another process listens on it)`);
	if (error.code === 'EACCES')
		return new Error(`PORT: no permission to listen on ${port} (ports below 1024 need privileges)`);
	return new Error(`PORT: cannot listen on ${port} (${error.code ?? error.message})`);
}

/** Whether an error is the failure to listen on a port. */
export function isListenError(error: unknown): error is NodeJS.ErrnoException & { port?: number } {
	return (error as { syscall?: string } | null)?.syscall === 'listen';
}

/**
 * Listen on `port` as the server will (every interface) and let go at once; throws listenError.
 * Checked before migrating, so that a port in use stops the start at once. Another process may
 * still take the port in between; a listen error that reaches the CLI is named as PORT too.
 */
export async function checkPortFree(port: number): Promise<void> {
	const probe = createServer();
	await new Promise<void>((resolve, reject) => {
		probe.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, port)));
		probe.listen(port, () => resolve());
	});
	await new Promise((resolve) => probe.close(resolve));
}

// Online or offline, as the browser sees it. The header shows it in words.
class NetworkStatus {
	online = $state(true);
	#started = false;

	start(): void {
		if (this.#started) return;
		this.#started = true;
		this.online = navigator.onLine;
		addEventListener('online', () => (this.online = true));
		addEventListener('offline', () => (this.online = false));
	}
}

export const network = new NetworkStatus();

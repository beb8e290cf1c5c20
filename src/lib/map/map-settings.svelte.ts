// The device's map settings: the tile URL template (none by default), kept in idb-keyval.
import { loadTileUrl, saveTileUrl, tileUrlProblem, type TileUrlProblem } from './tile-url';

class MapSettings {
	tileUrl = $state<string | null>(null);
	loaded = $state(false);
	#loading: Promise<void> | null = null;

	load(): Promise<void> {
		this.#loading ??= loadTileUrl().then((url) => {
			this.tileUrl = url;
			this.loaded = true;
		});
		return this.#loading;
	}

	/** Save a template (empty: no tiles). Returns why it cannot be used, or null when saved. */
	async setTileUrl(template: string): Promise<TileUrlProblem | null> {
		const value = template.trim();
		if (value) {
			const problem = tileUrlProblem(value);
			if (problem) return problem;
		}
		await saveTileUrl(value || null);
		this.tileUrl = value || null;
		return null;
	}
}

export const mapSettings = new MapSettings();

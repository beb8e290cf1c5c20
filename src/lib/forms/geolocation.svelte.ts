// "Use my location": one reading from the device (GPS on a tablet), with its accuracy. Optional
// everywhere: a household without coordinates is simply not on the map.

export type LocateProblem = 'unsupported' | 'denied' | 'unavailable' | 'timeout';

const OPTIONS: PositionOptions = { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 };

export class Geolocator {
	lat = $state<number | null>(null);
	lng = $state<number | null>(null);
	/** Metres, as the device reports it. */
	accuracy = $state<number | null>(null);
	locating = $state(false);
	problem = $state<LocateProblem | null>(null);

	readonly supported = typeof navigator !== 'undefined' && 'geolocation' in navigator;

	set(lat: number, lng: number, accuracy: number | null = null): void {
		this.lat = round6(lat);
		this.lng = round6(lng);
		this.accuracy = accuracy === null ? null : Math.round(accuracy);
	}

	clear(): void {
		this.lat = null;
		this.lng = null;
		this.accuracy = null;
		this.problem = null;
	}

	locate(): Promise<void> {
		if (!this.supported) {
			this.problem = 'unsupported';
			return Promise.resolve();
		}
		this.locating = true;
		this.problem = null;
		return new Promise((resolve) => {
			navigator.geolocation.getCurrentPosition(
				(position) => {
					this.set(position.coords.latitude, position.coords.longitude, position.coords.accuracy);
					this.locating = false;
					resolve();
				},
				(error) => {
					this.problem =
						error.code === error.PERMISSION_DENIED
							? 'denied'
							: error.code === error.TIMEOUT
								? 'timeout'
								: 'unavailable';
					this.locating = false;
					resolve();
				},
				OPTIONS
			);
		});
	}
}

/** About 0.1 m: more digits would only be noise. */
function round6(value: number): number {
	return Math.round(value * 1e6) / 1e6;
}

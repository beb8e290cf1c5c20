// An error, in words the user can act on.
import { m } from '$lib/paraglide/messages';
import { ApiError } from './api';

export function errorText(error: unknown): string {
	if (!(error instanceof ApiError)) return m.error_server();
	switch (error.kind) {
		case 'offline':
			return m.error_offline_no_cache();
		case 'unauthorized':
			return m.error_session_expired();
		case 'forbidden':
			return m.error_forbidden();
		case 'not_found':
			return m.error_not_found();
		case 'invalid':
			return m.error_invalid({ message: error.message });
		case 'throttled':
			return m.login_throttled();
		case 'server':
			return m.error_server();
	}
}

// The import's outcomes in words the person can act on (docs/imports.md, "API").
import { m } from '$lib/paraglide/messages';
import { i18n } from '$lib/i18n/locale.svelte';
import { problemLabel } from '$lib/i18n/labels';
import type { ImportError, RowProblem } from './import-api';

/** What went wrong and what to do about it. */
export function importErrorText(error: ImportError): string {
	switch (error.failure) {
		case 'file':
			return m.im_error_file({ reason: fileProblem(error) });
		case 'too_large':
			return m.im_error_too_large();
		case 'already':
			return m.im_error_already();
		case 'expired':
			return m.im_error_expired();
		case 'forbidden':
			return m.im_error_forbidden();
		case 'offline':
			return m.im_error_offline();
		case 'session':
			return m.im_error_session();
		case 'server':
			return m.im_error_server();
	}
}

/**
 * Why a row was not taken: the server's own reason in Chinese (it may name the value, such as an
 * unknown 人员类别), the problem's words otherwise.
 */
export function problemText(problem: Pick<RowProblem, 'code' | 'message'>): string {
	return i18n.current === 'zh-CN' && problem.message ? problem.message : problemLabel(problem.code);
}

/** Why the file cannot be read, in the interface language when the server named the reason. */
function fileProblem(error: ImportError): string {
	switch (error.code) {
		case 'format':
			return m.im_file_format();
		case 'empty':
			return m.im_file_empty();
		case 'no_header':
			return m.im_file_no_header();
		case 'no_sheet':
			return m.im_file_no_sheet();
		case 'no_name_column':
			return m.im_file_no_name_column();
		default:
			return error.reason || m.im_file_format();
	}
}

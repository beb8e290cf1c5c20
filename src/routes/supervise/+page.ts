export const load = ({ url }) => ({ code: url.searchParams.get('code') });

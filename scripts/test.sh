#!/usr/bin/env bash
# npm test: install what the tests need, then run every check and suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
install_dependencies

if [ ! -x /usr/bin/chromium ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	else
		echo "notice: /usr/bin/chromium is missing and cannot be installed here; browser suites will fail" >&2
	fi
fi

npm run build
npm run check
npm run lint
mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=$?
node scripts/test-summary.js test-results/vitest.json
exit $status

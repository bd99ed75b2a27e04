# syntax=docker/dockerfile:1.7
# Threadline web tier (storefront + back office pages, proxy to the API). Build from the
# repository root:
#   docker build -f deploy/docker/web.Dockerfile -t threadline/web .
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# --- build the pages with Vite (needs the dev dependencies) ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY . .
RUN npm ci --ignore-scripts \
    && node packages/cli/bin/threadline.mjs build

# --- production dependencies only ---
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
    THREADLINE_TIER=web \
    THREADLINE_HOST=0.0.0.0 \
    PORT=8080 \
    THREADLINE_DATA_DIR=/data \
    NODE_OPTIONS=--max-semi-space-size=32
WORKDIR /app
COPY --from=deps /app /app
COPY --from=build /app/apps/web/dist /app/apps/web/dist
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "deploy/docker/healthcheck.mjs"]
ENTRYPOINT ["node", "deploy/docker/entrypoint.mjs"]
CMD ["web"]

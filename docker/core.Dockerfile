# ferry core: API, negotiation, background tasks, web app.
# Build from the repository root:  docker build -f docker/core.Dockerfile -t ferry-core .
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY libs ./libs
COPY plugins ./plugins
COPY apps ./apps
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    FERRY_HOST=0.0.0.0 \
    FERRY_PORT=8080 \
    FERRY_DATA_DIR=/var/lib/ferry/core \
    FERRY_WEB_DIR=/app/apps/web/dist
WORKDIR /app
COPY --from=build --chown=node:node /src/node_modules ./node_modules
COPY --from=build --chown=node:node /src/package.json ./
COPY --from=build --chown=node:node /src/libs ./libs
COPY --from=build --chown=node:node /src/apps/core ./apps/core
COPY --from=build --chown=node:node /src/apps/web/dist ./apps/web/dist
RUN mkdir -p /var/lib/ferry/core && chown -R node:node /var/lib/ferry && chmod 700 /var/lib/ferry/core
USER node
EXPOSE 8080
VOLUME ["/var/lib/ferry/core"]
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.FERRY_PORT+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "apps/core/dist/main.js"]

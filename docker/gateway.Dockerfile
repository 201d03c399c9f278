# ferry provider gateway with the bundled mechanism plugins (sftp, rsync, globus, stream-tunnel).
# Build from the repository root:  docker build -f docker/gateway.Dockerfile -t ferry-gateway .
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY libs ./libs
COPY plugins ./plugins
COPY apps ./apps
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# rsync and the OpenSSH client are needed by the rsync mechanism's source side.
RUN apt-get update && apt-get install -y --no-install-recommends rsync openssh-client \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    FERRY_GATEWAY_CONFIG=/etc/ferry/gateway.json
WORKDIR /app
COPY --from=build --chown=node:node /src/node_modules ./node_modules
COPY --from=build --chown=node:node /src/package.json ./
COPY --from=build --chown=node:node /src/libs ./libs
COPY --from=build --chown=node:node /src/plugins ./plugins
COPY --from=build --chown=node:node /src/apps/provider ./apps/provider
RUN mkdir -p /var/lib/ferry/gateway && chown -R node:node /var/lib/ferry && chmod 700 /var/lib/ferry/gateway
USER node
# 8081: signed gateway API; 2222: embedded SFTP server; 7443: stream-tunnel TLS data port
EXPOSE 8081 2222 7443
VOLUME ["/var/lib/ferry/gateway"]
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:8081/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "apps/provider/dist/main.js"]

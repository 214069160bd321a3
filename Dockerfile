# syntax=docker/dockerfile:1
# diagnose502: build once, run the Slack bot (`serve`, `worker`, or both with `start`) or the CLI from one small image.
# Node 26 is the Active LTS line (since 2026-10); the code itself supports Node >= 20.18.1.
ARG NODE_IMAGE=node:26-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The lock lists every platform's optional packages: plain `npm ci`, as in the README and CI.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json build.mjs ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# openssh-client is not needed (SSH is done in-process by node-ssh); tini reaps and forwards signals;
# fonts-dejavu-core is the font the 502/504 chart's text is drawn with (resvg draws no text without one).
RUN apt-get update && apt-get install -y --no-install-recommends tini ca-certificates fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Inventory, SSH key and known_hosts are mounted read-only at run time; nothing secret is baked in.
VOLUME ["/etc/diagnose502"]
ENV DIAGNOSE502_INVENTORY=/etc/diagnose502/inventory.yml
USER node
# V8's young generation capped at 2 x 4 MB semi-spaces (default: grows to 2 x 16 MB and stays): a worker
# diagnosing 50 hosts at once peaks ~15 MB lower (README, "Tests and figures");
# bench/bot-e2e.bench.ts starts the bot with exactly these flags, read from this line.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--max-semi-space-size=4", "dist/diagnose502.js"]
CMD ["--help"]

# Image for the worker and the API (docker-compose.yml). Runs TypeScript through tsx, as npm start does.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Dev dependencies too, for the web app's build (Vite); pruned after it.
RUN npm ci --no-audit --no-fund --include=dev
COPY . .
RUN npx tsx scripts/build-web.ts --force && npm prune --omit=dev --no-audit --no-fund
USER node

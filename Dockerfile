# Image for the worker and the API (docker-compose.yml). Runs TypeScript through tsx, as npm start does.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
USER node

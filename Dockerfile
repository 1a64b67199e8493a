# One image for every service of docker-compose.yml (the BFF, the dev IdP and the demo API);
# the default command runs the BFF, configured from the environment alone (see docs/deploying.md).

# --- build: compile TypeScript to dist/ ---
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json tsconfig.browser.json ./
COPY apps ./apps
COPY libs ./libs
COPY scripts ./scripts
RUN npm run build

# --- runtime: production dependencies and compiled code (dist/demo-spa is the demo SPA), run as `node` ---
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
# oidc-provider is a devDependency (the npm package does not ship the dev IdP), but this image also
# runs the dev IdP for docker-compose.yml, so it is added here at the version the lockfile pins.
RUN npm ci --omit=dev \
  && npm install --no-save --omit=dev "oidc-provider@$(node -p "require('./package-lock.json').packages['node_modules/oidc-provider'].version")" \
  && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
CMD ["node", "dist/apps/bff/src/main.js"]

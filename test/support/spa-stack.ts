import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BrowserContext, BrowserContextOptions } from 'playwright-core';
import { createDemoApi, redisPublisher } from '@bff/demo-api';
import { startStack, type Stack } from './bff-stack';
import { launchChromium } from './chromium';
import { buildDemoSpa } from './demo-spa';
import { freePort } from './free-port';
import { testRedisUrl } from './redis';

/** How long a page may take to show a state before the step fails. */
export const UI_TIMEOUT_MS = 15_000;
/** The session cookie's name with BFF_DEV_INSECURE_COOKIES (plain http on localhost). */
export const SESSION_COOKIE = 'bff';

export interface SpaStack {
  stack: Stack;
  /** One browser profile: its tabs share cookies, as a user's tabs do. */
  context: BrowserContext;
  /** Another profile of the same browser: another device, with cookies of its own. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** A BFF route to the demo API, as BFF_ROUTES lists them (`upstream` is added). */
export type DemoRoute = { name: string; path?: string } & Record<string, unknown>;

/** The route every SPA stack has: `demo`, the user's token. */
const DEMO_ROUTE: DemoRoute = { name: 'demo', token: 'user' };

/**
 * Everything the demo runs, for a real browser: the dev IdP and the BFF (Redis sessions)
 * serving the built demo SPA, the demo API publishing notifications through Redis, and
 * Debian's Chromium with a fresh profile.
 */
export async function startSpaStack(
  options: {
    accessTokenTtlSeconds?: number;
    /** More routes to the demo API besides `demo`; `path` is appended to its URL. */
    routes?: DemoRoute[];
    /** More BFF environment (SESSION_IDLE_TIMEOUT_SECONDS…), applied last. */
    env?: Record<string, string>;
  } = {},
): Promise<SpaStack> {
  // Each part registers its stop as soon as it runs, so a failed start still cleans up.
  const stops: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const staticDir = await buildDemoSpa();
    stops.push(() => rm(dirname(staticDir), { recursive: true, force: true }));
    const apiPort = await freePort();
    const stack = await startStack({
      accessTokenTtlSeconds: options.accessTokenTtlSeconds,
      env: {
        BFF_STATIC_DIR: staticDir,
        BFF_DEV_INSECURE_COOKIES: 'true',
        BFF_ROUTES: JSON.stringify(
          [DEMO_ROUTE, ...(options.routes ?? [])].map(({ path, ...route }) => ({
            ...route,
            upstream: `http://127.0.0.1:${String(apiPort)}${path ?? ''}`,
          })),
        ),
        ...options.env,
      },
    });
    stops.push(() => stack.close());
    const demoApi = await createDemoApi({
      port: apiPort,
      issuer: stack.idp.issuer,
      // The dev IdP's default resource indicator, the audience of its access tokens.
      audience: 'http://localhost:4001',
      publisher: redisPublisher(testRedisUrl()),
    });
    stops.push(() => demoApi.close());
    const browser = await launchChromium();
    stops.push(() => browser.close());
    const newContext = async (contextOptions?: BrowserContextOptions): Promise<BrowserContext> => {
      const created = await browser.newContext(contextOptions);
      created.setDefaultTimeout(UI_TIMEOUT_MS);
      return created;
    };
    return { stack, context: await newContext(), newContext, close };
  } catch (error) {
    await close();
    throw error;
  }
}

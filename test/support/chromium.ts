import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's chromium, never a downloaded browser (docs/testing.md); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Without the background-networking flags Chromium keeps dialling Google's
 * hosts, which this machine's closed network refuses, many at a time.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Where failing steps leave their screenshots (git-ignored). */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'test-artifacts', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH to one`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/**
 * Runs one named step of a browser scenario; when it fails, every page of the
 * context (or of each context, for a scenario with several browsers) is saved as
 * `<scenario>--<step>--<n>.png` and the paths are added to the error, so the
 * failing state can be looked at after the run.
 */
export async function step<T>(
  contexts: BrowserContext | readonly BrowserContext[],
  scenario: string,
  name: string,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const slug = (text: string) => text.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    const saved: string[] = [];
    const pages = [contexts].flat().flatMap((context) => context.pages());
    for (const [index, page] of pages.entries()) {
      const path = join(SCREENSHOT_DIR, `${slug(scenario)}--${slug(name)}--${String(index + 1)}.png`);
      try {
        await page.screenshot({ path, fullPage: true, timeout: 5_000 });
        saved.push(path);
      } catch {
        // A crashed or closed page has nothing to show; the original error matters more.
      }
    }
    const where = saved.length > 0 ? `; screenshots: ${saved.join(', ')}` : '';
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`step "${name}" failed: ${message}${where}`, { cause: error });
  }
}

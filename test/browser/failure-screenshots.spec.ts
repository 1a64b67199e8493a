import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchChromium, step } from '../support/chromium';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('a failing browser step', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser.close();
  });

  it('leaves a screenshot of every open page and names the files in its error', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.setContent('<h1>the state a failing step left</h1>');
    const failure = await step(context, 'screenshot check', 'a step that fails', () =>
      Promise.reject(new Error('boom')),
    ).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toMatch(/^step "a step that fails" failed: boom; screenshots: /);
    const files = (failure?.message ?? '').split('screenshots: ')[1]?.split(', ') ?? [];
    expect(files).toHaveLength(1);
    const file = files[0]!;
    expect(file).toMatch(/test-artifacts\/screenshots\/screenshot-check--a-step-that-fails--1\.png$/);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    rmSync(file);
    await context.close();
  }, 60_000);
});

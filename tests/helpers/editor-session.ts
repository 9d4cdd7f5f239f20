import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CLIENT_DIR, hasChromium, launchBrowser } from './browser.js';
import { startTestServer, type TestServer } from './server.js';

const root = resolve(import.meta.dirname, '..', '..');

export interface EditorSession {
  readonly server: () => TestServer;
  readonly browser: () => Browser;
}

/**
 * For one e2e file: a real server on the shipped models serving the built editor, and Chromium, started before its
 * tests and stopped after (nothing starts where Chromium is missing; those files skip their tests).
 */
export function useEditorSession(): EditorSession {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!hasChromium) return;
    server = await startTestServer({ clientDir: CLIENT_DIR, modelsDir: join(root, 'models') });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  return { server: () => server!, browser: () => browser! };
}

/** A new English 1500×950 browser context on a fresh editor (storage cleared, so the default workflow opens). */
export async function openFreshEditor(
  session: EditorSession,
  options: { readonly permissions?: readonly string[] } = {},
): Promise<Page> {
  const url = session.server().url;
  const context = await session.browser().newContext({ viewport: { width: 1500, height: 950 }, locale: 'en-US' });
  if (options.permissions) await context.grantPermissions([...options.permissions], { origin: url });
  const page = await context.newPage();
  await page.goto(url);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  return page;
}

/**
 * Fits the whole workflow on screen with the canvas's fit-view button, as a user would to see nodes that the readable
 * first view (zoom ≥ 0.85, from the top-left) leaves off screen; waits until the node with `nodeId` is drawn.
 */
export async function showWholeGraph(page: Page, nodeId: string): Promise<void> {
  await page.locator('.react-flow__controls-fitview').click();
  await page.waitForSelector(`[data-testid="node-${nodeId}"]`);
}

/** A fresh editor on the default workflow, fitted so that every one of its nodes (up to node 15) is drawn. */
export async function openDefaultWorkflow(
  session: EditorSession,
  options: { readonly permissions?: readonly string[] } = {},
): Promise<Page> {
  const page = await openFreshEditor(session, options);
  await page.waitForSelector('[data-testid="node-3"][data-class="KSampler"]');
  await showWholeGraph(page, '15');
  return page;
}

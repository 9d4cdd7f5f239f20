import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, screenshot } from '../helpers/browser.js';
import { openFreshEditor, useEditorSession } from '../helpers/editor-session.js';

/** Number widgets give the value typed, and no node stays "queued" once a run ends (issue #16), in real Chromium. */

const session = useEditorSession();

async function openEditor(): Promise<Page> {
  const page = await openFreshEditor(session);
  await page.waitForSelector('[data-testid="node-3"][data-class="KSampler"]');
  return page;
}

interface QueuedPrompt {
  readonly promptId: string;
  readonly prompt: Record<string, { class_type: string; inputs: Record<string, unknown> }>;
}

/** Clicks Run and returns the prompt the server was sent and the id it answered with. */
async function run(page: Page): Promise<QueuedPrompt> {
  const isPost = (url: string, method: string) => new URL(url).pathname === '/api/prompt' && method === 'POST';
  const request = page.waitForRequest((r) => isPost(r.url(), r.method()));
  const response = page.waitForResponse((r) => isPost(r.url(), r.request().method()));
  await page.locator('[data-testid="run"]').click();
  const body = (await request).postDataJSON() as { prompt: QueuedPrompt['prompt'] };
  const answer = (await (await response).json()) as { prompt_id: string };
  return { promptId: answer.prompt_id, prompt: body.prompt };
}

/** Waits until the run is in the server's history, then until the editor shows no node waiting. */
async function waitForRunEnd(page: Page, promptId: string): Promise<void> {
  await expect
    .poll(
      async () => Object.keys((await (await fetch(`${session.server().url}/history/${promptId}`)).json()) as object),
      {
        timeout: 60_000,
      },
    )
    .toEqual([promptId]);
  await expect.poll(() => page.locator('.node-status.queued').count(), { timeout: 5000 }).toBe(0);
}

describe.skipIf(!hasChromium)('number widgets and run states in Chromium', () => {
  it('clears and retypes steps and cfg, marks text that is not a number, and queues exactly the values typed', async () => {
    const page = await openEditor();
    const steps = page.locator('#w-3-steps');
    const cfg = page.locator('#w-3-cfg');
    expect(await steps.inputValue()).toBe('20');
    expect(await cfg.inputValue()).toBe('5');

    await steps.click();
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    // The field can be empty while typing.
    expect(await steps.inputValue()).toBe('');
    await page.keyboard.type('30');
    await page.keyboard.press('Tab');
    expect(await steps.inputValue()).toBe('30');

    // Text that is not a number is marked while typed and never committed: leaving the field shows 30 again.
    await steps.click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('3x');
    expect(await steps.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'g-invalid-number');
    await page.keyboard.press('Tab');
    expect(await steps.inputValue()).toBe('30');
    expect(await steps.getAttribute('aria-invalid')).toBe('false');

    await cfg.click();
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('7.');
    // A partial number stays as typed.
    expect(await cfg.inputValue()).toBe('7.');
    await page.keyboard.type('5');
    await screenshot(page, 'g-typed-values');
    // Clicking Run moves focus out of the field, which commits 7.5 before the prompt is made.
    const queued = await run(page);
    expect(queued.prompt['3']!.inputs).toMatchObject({ steps: 30, cfg: 7.5 });
    expect(await cfg.inputValue()).toBe('7.5');
    await waitForRunEnd(page, queued.promptId);
    expect(await page.locator('[data-testid="status-9"]').textContent()).toContain('done');
    await screenshot(page, 'g-run-done');
    await page.context().close();
  });

  it('clamps to the limits on Enter', async () => {
    const page = await openEditor();
    const denoise = page.locator('#w-3-denoise');
    await denoise.click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('1.75');
    await page.keyboard.press('Enter');
    expect(await denoise.inputValue()).toBe('1');
    const width = page.locator('#w-5-width');
    await width.click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('-5');
    await page.keyboard.press('Enter');
    expect(await width.inputValue()).toBe('16');
    await page.context().close();
  });

  it('does not mark queued the nodes that feed only a bypassed node', async () => {
    const page = await openEditor();
    // Bypass the KSampler: the decoder reads the empty latent, and the two prompt encoders feed nothing that runs.
    await page.locator('[data-testid="node-3"] .node-header').click();
    await page.keyboard.press('Control+b');
    await expect.poll(() => page.locator('[data-testid="node-3"]').getAttribute('class')).toContain('bypass');
    const queued = await run(page);
    expect(queued.prompt['3']).toBeUndefined();
    await page.waitForSelector('[data-testid="status-8"]');
    await waitForRunEnd(page, queued.promptId);
    expect(await page.locator('[data-testid="status-6"]').count()).toBe(0);
    expect(await page.locator('[data-testid="status-7"]').count()).toBe(0);
    await screenshot(page, 'g-bypassed-run');
    await page.context().close();
  });

  it('leaves no node queued after an interrupt', async () => {
    const page = await openEditor();
    const steps = page.locator('#w-3-steps');
    await steps.click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('2000');
    await page.keyboard.press('Tab');
    const queued = await run(page);
    expect(queued.prompt['3']!.inputs.steps).toBe(2000);
    await page.waitForSelector('[data-testid="progress-3"]', { timeout: 30_000 });
    await page.locator('[data-testid="interrupt"]').click();
    await expect
      .poll(() => page.locator('[data-testid="status-3"]').textContent(), { timeout: 30_000 })
      .toContain('interrupted');
    await waitForRunEnd(page, queued.promptId);
    await screenshot(page, 'g-interrupted');
    await page.context().close();
  });
});

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { dragWire, hasChromium, screenshot } from '../helpers/browser.js';
import { openFreshEditor, useEditorSession } from '../helpers/editor-session.js';

/**
 * Errors a person sees (a run-time failure's toast, every validation error, interrupted runs in history) and the
 * add-node search's multi-word and typo queries, by real mouse and keyboard in Chromium against the shipped model.
 */

const session = useEditorSession();

async function openDefaultEditor(): Promise<Page> {
  const page = await openFreshEditor(session);
  // The default workflow: 4 Load Checkpoint, 6/7 prompts, 3 KSampler, 8 VAE Decode, 9 Save Image, …
  await page.waitForSelector('[data-testid="node-3"]');
  return page;
}

const handle = (nodeId: string, handleId: string) =>
  `[data-testid="node-${nodeId}"] .react-flow__handle[data-handleid="${handleId}"]`;

/** Replaces what a number field holds by typing, as a person does. */
async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).click();
  await page.keyboard.press('End');
  for (let i = 0; i < 8; i++) await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
  await page.keyboard.press('Tab');
}

// Empty canvas below the default workflow's Empty Latent Image, at 1500×950.
const EMPTY_A = { x: 560, y: 830 };
const EMPTY_B = { x: 1250, y: 640 };

describe.skipIf(!hasChromium)('errors people see, and the node search', () => {
  it('names a node that fails at run time in a toast, and "Show node" brings it into view, selected', async () => {
    const page = await openDefaultEditor();
    // Clip skip −2 on the checkpoint's CLIP: the shipped model has no hidden states, so it fails when it runs.
    const clipOut = await page.locator(handle('4', 'out-1')).boundingBox();
    await page.mouse.move(clipOut!.x + clipOut!.width / 2, clipOut!.y + clipOut!.height / 2);
    await page.mouse.down();
    await page.mouse.move(EMPTY_A.x, EMPTY_A.y, { steps: 8 });
    await page.mouse.up();
    await page.waitForSelector('[data-testid="node-search"] input');
    await page.keyboard.type('clip set last layer');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="node-16"][data-class="CLIPSetLastLayer"]');
    await dragWire(page, handle('16', 'out-0'), handle('6', 'clip'));
    await typeInto(page, '#w-16-stop_at_clip_layer', '-2');
    await expect.poll(() => page.locator('#w-16-stop_at_clip_layer').inputValue()).toBe('-2');

    // Pan the canvas until the node is off screen: its failure would be silent without a toast.
    // (The middle button pans; the left one draws a selection box, as in ComfyUI.)
    await page.mouse.move(EMPTY_B.x, EMPTY_B.y);
    await page.mouse.down({ button: 'middle' });
    await page.mouse.move(150, 100, { steps: 10 });
    await page.mouse.up({ button: 'middle' });
    const pane = (await page.locator('.react-flow__pane').boundingBox())!;
    const outside = (box: { x: number; y: number; width: number; height: number } | null) =>
      !box ||
      box.x + box.width < pane.x ||
      box.y + box.height < pane.y ||
      box.x > pane.x + pane.width ||
      box.y > pane.y + pane.height;
    // Nodes far off screen are not rendered at all.
    const node16 = page.locator('[data-testid="node-16"]');
    const box16 = async () => ((await node16.count()) > 0 ? node16.boundingBox() : null);
    expect(outside(await box16())).toBe(true);

    await page.locator('[data-testid="run"]').click();
    const toast = page.locator('[data-testid="toast"]', { hasText: 'stop_at_clip_layer' });
    await toast.waitFor({ timeout: 30_000 });
    const text = await toast.textContent();
    expect(text).toContain('#16 CLIP Set Last Layer (CLIPSetLastLayer) failed');
    expect(text).toContain('stop_at_clip_layer: ');
    await screenshot(page, 'i-runtime-error-toast');

    await toast.locator('[data-testid="toast-show-node"]').click();
    await expect.poll(async () => outside(await box16())).toBe(false);
    await expect.poll(() => page.locator('[data-testid="node-16"].selected').count()).toBe(1);
    expect(await page.locator('[data-testid="node-16"] [data-testid="status-16"]').textContent()).toContain('error');
    await screenshot(page, 'i-runtime-error-shown');
    await page.context().close();
  });

  it('lists every node error of a refused prompt in its toast, each with the node and field', async () => {
    const page = await openDefaultEditor();
    // Without the checkpoint loader, four nodes lose a required input: the sampler, both prompts and the decoder.
    await page.locator('[data-testid="node-4"] .node-header').click();
    await page.keyboard.press('Delete');
    await page.waitForFunction(() => !document.querySelector('[data-testid="node-4"]'));
    await page.locator('[data-testid="run"]').click();
    const toast = page.locator('[data-testid="toast"]', { hasText: 'failed validation' });
    await toast.waitFor();
    const lines = await toast.locator('li').allTextContents();
    expect([...lines].sort()).toEqual([
      '#3 KSampler · model: Required input is missing',
      '#6 Positive prompt (CLIPTextEncode) · clip: Required input is missing',
      '#7 Negative prompt (CLIPTextEncode) · clip: Required input is missing',
      '#8 VAE Decode (VAEDecode) · vae: Required input is missing',
    ]);
    await screenshot(page, 'i-validation-toast');
    await page.context().close();
  });

  it('shows an interrupted run as interrupted in the History panel, not as an error', async () => {
    const page = await openDefaultEditor();
    await typeInto(page, '#w-3-steps', '400');
    await page.locator('[data-testid="run"]').click();
    await page.waitForSelector('[data-testid="progress-3"]', { timeout: 30_000 });
    await page.locator('[data-testid="interrupt"]').click();
    await expect.poll(() => page.locator('[data-testid="status-3"]').textContent()).toContain('interrupted');
    await page.locator('[data-testid="tab-history"]').click();
    const row = page.locator('[data-testid="history-panel"] li').first();
    await expect.poll(() => row.getAttribute('class')).toBe('interrupted');
    expect(await row.locator('[data-testid="history-outcome"]').textContent()).toBe('interrupted');
    await screenshot(page, 'i-history-interrupted');
    await page.context().close();
  });

  it('finds "latent upscale" (Upscale Latent) and the typo "ksampelr" (KSampler) first in the search box', async () => {
    const page = await openDefaultEditor();
    const options = page.locator('[data-testid="node-search"] [role="option"] span');
    await page.mouse.dblclick(EMPTY_A.x, EMPTY_A.y);
    await page.waitForSelector('[data-testid="node-search"] input');
    await page.keyboard.type('latent upscale');
    await expect.poll(() => options.first().textContent()).toBe('Upscale Latent');
    await screenshot(page, 'i-search-latent-upscale');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-class="LatentUpscale"]');

    await page.mouse.dblclick(EMPTY_B.x, EMPTY_B.y);
    await page.waitForSelector('[data-testid="node-search"] input');
    await page.keyboard.type('ksampelr');
    await expect.poll(() => options.first().textContent()).toBe('KSampler');
    await screenshot(page, 'i-search-typo');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-class="KSampler"]').count()).toBe(2);
    await page.context().close();
  });
});

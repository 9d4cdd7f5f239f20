import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, screenshot } from '../helpers/browser.js';
import { openDefaultWorkflow, useEditorSession } from '../helpers/editor-session.js';

/** Undo that takes back one edit per Ctrl+Z, paste at the cursor, and Escape on the shortcut list, by real keys. */

const session = useEditorSession();

/** The default workflow, opened fresh. */
const openEditor = (): Promise<Page> =>
  openDefaultWorkflow(session, { permissions: ['clipboard-read', 'clipboard-write'] });

const edges = (page: Page) => page.locator('.react-flow__edge').count();
const seed = (page: Page) => page.locator('#w-3-seed').inputValue();

/** Types into a number field as a user does: click it, select what is there, type. */
async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type(text);
}

/** A point on the empty canvas (the pane itself is under it). */
async function emptyCanvasPoint(page: Page): Promise<{ x: number; y: number }> {
  const box = (await page.locator('.react-flow__pane').boundingBox())!;
  for (let y = box.y + 40; y < box.y + box.height - 40; y += 30)
    for (let x = box.x + 40; x < box.x + box.width - 260; x += 30) {
      const pane = await page.evaluate(
        ([px, py]) => document.elementFromPoint(px!, py!)?.classList.contains('react-flow__pane') === true,
        [x, y],
      );
      if (pane) return { x: Math.round(x), y: Math.round(y) };
    }
  throw new Error('no empty canvas point');
}

describe.skipIf(!hasChromium)('undo, paste and the shortcut list by real keys', () => {
  it('one Ctrl+Z brings back a deleted node with its wires', async () => {
    const page = await openEditor();
    const before = await edges(page);
    expect(before).toBeGreaterThan(2);
    // The positive prompt: fed by the checkpoint's CLIP, feeding the sampler.
    await page.locator('[data-testid="node-6"] .node-header').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('[data-testid="node-6"]').count()).toBe(0);
    expect(await edges(page)).toBe(before - 2);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('[data-testid="node-6"]').count()).toBe(1);
    await expect.poll(() => edges(page)).toBe(before);
    expect(await page.locator('[data-testid="node-3"] .react-flow__handle[data-handleid="positive"]').count()).toBe(1);
    await screenshot(page, 'h-delete-undone');
    await page.context().close();
  });

  it('Run is not an undo step: Ctrl+Z after two runs undoes the last edit', async () => {
    const page = await openEditor();
    await typeInto(page, '#w-3-steps', '2');
    await expect.poll(() => page.locator('#w-3-steps').inputValue()).toBe('2');
    for (let run = 0; run < 2; run++) {
      const seedBefore = await seed(page);
      await page.locator('[data-testid="run"]').click();
      // randomize gives a new seed once the run is queued.
      await expect.poll(() => seed(page), { timeout: 15_000 }).not.toBe(seedBefore);
    }
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('#w-3-steps').inputValue()).toBe('20');
    await page.context().close();
  });

  it('a run the server refuses leaves the seed as it was', async () => {
    const page = await openEditor();
    const seedBefore = await seed(page);
    // Without the positive prompt the sampler lacks a required input, and POST /prompt answers 400.
    await page.locator('[data-testid="node-6"] .node-header').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('[data-testid="node-6"]').count()).toBe(0);
    await page.locator('[data-testid="run"]').click();
    await page.waitForSelector('[data-testid="node-3"].invalid');
    expect(await seed(page)).toBe(seedBefore);
    await screenshot(page, 'h-refused-run');
    await page.context().close();
  });

  it('Ctrl+V pastes at the mouse, and a second paste there does not hide the first', async () => {
    const page = await openEditor();
    await page.locator('[data-testid="node-5"] .node-header').click();
    await page.keyboard.press('Control+c');
    const point = await emptyCanvasPoint(page);
    await page.mouse.move(point.x, point.y);
    await page.keyboard.press('Control+v');
    const first = page.locator('.react-flow__node[data-id="16"]');
    await first.waitFor();
    await expect(page.locator('[data-testid="node-16"]').getAttribute('data-class')).resolves.toBe('EmptyLatentImage');
    const box = (await first.boundingBox())!;
    expect(Math.abs(box.x - point.x)).toBeLessThanOrEqual(2);
    expect(Math.abs(box.y - point.y)).toBeLessThanOrEqual(2);
    await page.keyboard.press('Control+v');
    const second = page.locator('.react-flow__node[data-id="17"]');
    await second.waitFor();
    const next = (await second.boundingBox())!;
    expect(Math.hypot(next.x - box.x, next.y - box.y)).toBeGreaterThan(10);
    await screenshot(page, 'h-pasted-at-cursor');
    await page.context().close();
  });

  it('Escape closes the shortcut list', async () => {
    const page = await openEditor();
    await page.keyboard.press('?');
    await page.waitForSelector('[role="dialog"] li');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[role="dialog"]').count()).toBe(0);
    await page.context().close();
  });
});

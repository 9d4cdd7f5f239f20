import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, screenshot } from '../helpers/browser.js';
import { openFreshEditor, showWholeGraph, useEditorSession } from '../helpers/editor-session.js';

/** ComfyUI's comforts, by real mouse and keys: previews that stay, resizable nodes, detach-by-drag, left-drag pan. */

const session = useEditorSession();

/** The default workflow, opened fresh, with every node on screen. */
async function openEditor(): Promise<Page> {
  const page = await openFreshEditor(session);
  await page.waitForSelector('[data-testid="node-3"][data-class="KSampler"]');
  await showWholeGraph(page, '15');
  return page;
}

/** What one animation frame showed on a node: its step preview, its output image (each drawn, with pixels). */
interface FrameView {
  readonly preview: boolean;
  readonly image: boolean;
}

/** A node's size in flow units (what the document stores), from its box on screen and the canvas zoom. */
async function flowSize(page: Page, id: string): Promise<{ width: number; height: number }> {
  const box = (await page.locator(`.react-flow__node[data-id="${id}"]`).boundingBox())!;
  const zoom = await page.evaluate(() => {
    const transform = document.querySelector<HTMLElement>('.react-flow__viewport')!.style.transform;
    return Number(/scale\(([\d.]+)\)/.exec(transform)![1]);
  });
  return { width: box.width / zoom, height: box.height / zoom };
}

/** Drags a node's resize corner by (dx, dy) screen pixels with the mouse. */
async function dragCorner(page: Page, id: string, dx: number, dy: number): Promise<void> {
  const corner = (await page.locator(`.react-flow__node[data-id="${id}"] .node-resize-corner`).boundingBox())!;
  const x = corner.x + corner.width / 2;
  const y = corner.y + corner.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 5 });
  await page.mouse.move(x + dx, y + dy, { steps: 5 });
  await page.mouse.up();
}

const near = (a: number, b: number): boolean => Math.abs(a - b) <= 2;

describe.skipIf(!hasChromium)('editor comforts, by real mouse and keys', () => {
  it('the sampler keeps its last step preview to the end of the run, and no node goes blank in between', async () => {
    const page = await openEditor();
    // Every frame from Run until the saved image has been drawn for a while: what nodes 3 and 9 showed.
    await page.evaluate(() => {
      const drawn = (selector: string): boolean => {
        const image = document.querySelector<HTMLImageElement>(selector);
        return !!image && image.offsetParent !== null && image.naturalWidth > 0;
      };
      const frames: Record<string, { preview: boolean; image: boolean }[]> = { '3': [], '9': [] };
      let after = 0;
      const record = (): void => {
        for (const id of ['3', '9'])
          frames[id]!.push({
            preview: drawn(`[data-testid="preview-${id}"]`),
            image: drawn(`[data-testid="output-${id}"]`),
          });
        if (frames['9']!.at(-1)!.image) after += 1;
        if (after < 30) requestAnimationFrame(record);
        else Object.assign(window, { inkFrames: frames });
      };
      requestAnimationFrame(record);
    });
    await page.locator('[data-testid="run"]').click();
    await page.waitForFunction(() => 'inkFrames' in window, undefined, { timeout: 60_000 });
    const frames = await page.evaluate(
      () => (window as unknown as { inkFrames: Record<string, FrameView[]> }).inkFrames,
    );
    const sampler = frames['3']!;
    const first = sampler.findIndex((frame) => frame.preview);
    expect(first).toBeGreaterThanOrEqual(0);
    // From its first step preview on, the sampler shows one in every frame (it has no image of its own).
    expect(sampler.slice(first).filter((frame) => !frame.preview)).toEqual([]);
    // The output node: once it shows something, it never shows nothing.
    const output = frames['9']!;
    const shown = output.findIndex((frame) => frame.preview || frame.image);
    expect(output.slice(shown).filter((frame) => !frame.preview && !frame.image)).toEqual([]);
    expect(output.at(-1)).toEqual({ preview: false, image: true });
    await screenshot(page, 'c-preview-kept');
    await page.context().close();
  });

  it('a node resizes by its corner, as one undo step, keeps its size over a reload, and never cuts its widgets', async () => {
    const page = await openEditor();
    const before = await flowSize(page, '15');
    await dragCorner(page, '15', 150, 60);
    const zoom = await page.evaluate(() =>
      Number(
        /scale\(([\d.]+)\)/.exec(document.querySelector<HTMLElement>('.react-flow__viewport')!.style.transform)![1],
      ),
    );
    const resized = await flowSize(page, '15');
    expect(near(resized.width, before.width + 150 / zoom)).toBe(true);
    expect(near(resized.height, before.height + 60 / zoom)).toBe(true);
    await screenshot(page, 'c-node-resized');
    // One Ctrl+Z takes the whole resize back; redo puts it back.
    await page.keyboard.press('Control+z');
    await expect.poll(async () => near((await flowSize(page, '15')).width, before.width)).toBe(true);
    expect(near((await flowSize(page, '15')).height, before.height)).toBe(true);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(async () => near((await flowSize(page, '15')).width, resized.width)).toBe(true);
    await page.reload();
    await showWholeGraph(page, '15');
    const reloaded = await flowSize(page, '15');
    expect(near(reloaded.width, resized.width) && near(reloaded.height, resized.height)).toBe(true);
    // Made as small as the mouse can: no narrower than the minimum, and the last widget is still inside the node.
    await dragCorner(page, '15', -600, -600);
    const node = (await page.locator('.react-flow__node[data-id="15"]').boundingBox())!;
    const widget = (await page.locator('#w-15-language').boundingBox())!;
    expect((await flowSize(page, '15')).width).toBeGreaterThanOrEqual(219);
    expect(widget.y + widget.height).toBeLessThanOrEqual(node.y + node.height);
    expect(widget.x + widget.width).toBeLessThanOrEqual(node.x + node.width);
    await screenshot(page, 'c-node-smallest');
    await page.context().close();
  });
});

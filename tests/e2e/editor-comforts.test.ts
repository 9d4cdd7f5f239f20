import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, screenshot } from '../helpers/browser.js';
import { openDefaultWorkflow, showWholeGraph, useEditorSession } from '../helpers/editor-session.js';

/** ComfyUI's comforts, by real mouse and keys: previews that stay, resizable nodes, detach-by-drag, left-drag pan. */

const session = useEditorSession();

/** The default workflow, opened fresh, with every node on screen. */
const openEditor = (): Promise<Page> => openDefaultWorkflow(session);

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

const handle = (node: string, id: string): string =>
  `[data-testid="node-${node}"] .react-flow__handle[data-handleid="${id}"]`;
const wire = (id: string) => `[data-testid="rf__edge-${id}"]`;
const wireCount = (page: Page, id: string) => page.locator(wire(id)).count();

/** The centre of an element on screen. */
async function centre(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = (await page.locator(selector).boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** A point on the empty canvas (the pane itself is under it), right of and below `from`. */
async function emptyCanvasPoint(page: Page, from: { x: number; y: number }): Promise<{ x: number; y: number }> {
  for (let y = from.y + 60; y < 900; y += 20)
    for (let x = from.x - 200; x < from.x + 200; x += 20) {
      const pane = await page.evaluate(
        ([px, py]) => document.elementFromPoint(px!, py!)?.classList.contains('react-flow__pane') === true,
        [x, y],
      );
      if (pane) return { x: Math.round(x), y: Math.round(y) };
    }
  throw new Error('no empty canvas point');
}

/** The canvas's pan and zoom, from its viewport transform. */
const viewportTransform = (page: Page) =>
  page.evaluate(() => document.querySelector<HTMLElement>('.react-flow__viewport')!.style.transform);

const selectedNodes = (page: Page) =>
  page.locator('.react-flow__node.selected').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-id')));

/** A drag with the mouse from a to b (with `key` held when given). */
async function mouseDrag(
  page: Page,
  a: { x: number; y: number },
  b: { x: number; y: number },
  key?: string,
): Promise<void> {
  if (key) await page.keyboard.down(key);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
  if (key) await page.keyboard.up(key);
}

/** Corners just outside a node's box: a drag from the first (on empty canvas) to the second boxes that node alone. */
async function aroundNode(page: Page, id: string): Promise<[{ x: number; y: number }, { x: number; y: number }]> {
  const box = (await page.locator(`.react-flow__node[data-id="${id}"]`).boundingBox())!;
  // From below its right corner (no wires there) to above its left one.
  return [
    { x: box.x + box.width + 12, y: box.y + box.height + 12 },
    { x: box.x - 12, y: box.y - 12 },
  ];
}

/** Picks a Left-drag mode from the toolbar's More menu. */
async function chooseLeftDrag(page: Page, mode: 'pan' | 'select'): Promise<void> {
  await page.locator('[data-testid="more-actions"]').click();
  await page.locator(`[data-testid="left-drag-${mode}"]`).click();
}

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
    // The example opened again (in a tab of its own, as the run's tab has changes): same node ids, no run there, so
    // neither the kept preview nor the image shows on it.
    await page.locator('[data-testid="tab-library"]').click();
    await page.locator('button.link', { hasText: /^\s*text-to-image(\.json)?\s*$/ }).click();
    await expect.poll(() => page.locator('[data-testid="workflow-tab"]').count()).toBe(2);
    await showWholeGraph(page, '15');
    expect(await page.locator('[data-testid="preview-3"]').count()).toBe(0);
    expect(await page.locator('[data-testid="output-9"]').count()).toBe(0);
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
    // The drag's last move may still be rendering on a loaded machine: wait for the size to arrive.
    const resizedBy = async (): Promise<boolean> => {
      const size = await flowSize(page, '15');
      return near(size.width, before.width + 150 / zoom) && near(size.height, before.height + 60 / zoom);
    };
    await expect.poll(resizedBy).toBe(true);
    const resized = await flowSize(page, '15');
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

  it('a wire dragged from its input comes off it: onto another input it moves there, onto the canvas it goes', async () => {
    const page = await openEditor();
    const positive = '6:out-0->3:positive';
    const negative = '7:out-0->3:negative';
    expect(await wireCount(page, positive)).toBe(1);
    expect(await wireCount(page, negative)).toBe(1);
    // Pick the wire up at the sampler's positive input and carry it to negative.
    const from = await centre(page, handle('3', 'positive'));
    const to = await centre(page, handle('3', 'negative'));
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 60, from.y + 40, { steps: 5 });
    // Carried, it is off the input and still plugged into the prompt's output, as ComfyUI draws it.
    await expect.poll(() => wireCount(page, positive)).toBe(0);
    const line = (await page.locator('.react-flow__connection-path').boundingBox())!;
    const output = await centre(page, handle('6', 'out-0'));
    expect(Math.abs(line.x - output.x)).toBeLessThanOrEqual(6);
    await screenshot(page, 'c-wire-carried');
    await page.mouse.move(to.x, to.y, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => wireCount(page, '6:out-0->3:negative')).toBe(1);
    expect(await wireCount(page, negative)).toBe(0);
    expect(await wireCount(page, positive)).toBe(0);
    await screenshot(page, 'c-wire-moved');
    // One Ctrl+Z puts both wires back where they were.
    await page.keyboard.press('Control+z');
    await expect.poll(() => wireCount(page, positive)).toBe(1);
    expect(await wireCount(page, negative)).toBe(1);
    expect(await wireCount(page, '6:out-0->3:negative')).toBe(0);

    // Carried out onto empty canvas and let go: the wire is gone, and the search offers nodes that take it.
    const empty = await emptyCanvasPoint(page, from);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move((from.x + empty.x) / 2, (from.y + empty.y) / 2, { steps: 5 });
    await page.mouse.move(empty.x, empty.y, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => wireCount(page, positive)).toBe(0);
    await page.waitForSelector('[data-testid="node-search"]');
    await screenshot(page, 'c-wire-dropped-on-canvas');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid="node-search"]').count()).toBe(0);
    expect(await wireCount(page, positive)).toBe(0);
    await page.keyboard.press('Control+z');
    await expect.poll(() => wireCount(page, positive)).toBe(1);

    // Dropped on a node's body, it goes to that node's input for its type (ComfyUI's connectToNode): Describe's
    // mask wire onto Mask preview lands on its mask input.
    const describeMask = '13:out-0->15:mask';
    expect(await wireCount(page, describeMask)).toBe(1);
    await mouseDrag(
      page,
      await centre(page, handle('15', 'mask')),
      await centre(page, '[data-testid="node-14"] .node-header'),
    );
    await expect.poll(() => wireCount(page, describeMask)).toBe(0);
    expect(await wireCount(page, '13:out-0->14:mask')).toBe(1);
    await page.context().close();
  });

  it('Left-drag: pan (ComfyUI) pans with a plain drag and box-selects with Ctrl; select mode box-selects; kept over a reload', async () => {
    const page = await openEditor();
    // Select mode (the default): a drag around the Describe node selects it, the view stays.
    const [a, b] = await aroundNode(page, '15');
    const before = await viewportTransform(page);
    await mouseDrag(page, a, b);
    await expect.poll(() => selectedNodes(page)).toEqual(['15']);
    expect(await viewportTransform(page)).toBe(before);

    await chooseLeftDrag(page, 'pan');
    await page.locator('[data-testid="more-actions"]').click();
    expect(await page.locator('[data-testid="left-drag-pan"]').getAttribute('aria-checked')).toBe('true');
    await screenshot(page, 'c-left-drag-menu');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="more-actions"]').click();
    // Pan mode: the same drag moves the canvas by the drag and selects nothing new.
    await page.mouse.click(a.x, a.y);
    await expect.poll(() => selectedNodes(page)).toEqual([]);
    const unpanned = await viewportTransform(page);
    await mouseDrag(page, a, { x: a.x + 80, y: a.y - 60 });
    await expect.poll(() => viewportTransform(page)).not.toBe(unpanned);
    expect(await selectedNodes(page)).toEqual([]);
    // Ctrl+drag box-selects in pan mode.
    const [c, d] = await aroundNode(page, '15');
    const panned = await viewportTransform(page);
    await mouseDrag(page, c, d, 'Control');
    await expect.poll(() => selectedNodes(page)).toEqual(['15']);
    expect(await viewportTransform(page)).toBe(panned);
    await screenshot(page, 'c-ctrl-box-selected');

    // The setting survives a reload.
    await page.reload();
    await showWholeGraph(page, '15');
    const [e, f] = await aroundNode(page, '15');
    const reloaded = await viewportTransform(page);
    await mouseDrag(page, e, { x: e.x + 50, y: e.y + 40 });
    await expect.poll(() => viewportTransform(page)).not.toBe(reloaded);
    expect(await selectedNodes(page)).toEqual([]);
    await chooseLeftDrag(page, 'select');
    const [g, h] = await aroundNode(page, '15');
    await mouseDrag(page, g, h);
    await expect.poll(() => selectedNodes(page)).toEqual(['15']);
    expect(e.x).toBeGreaterThan(f.x);

    // The ? list names both gestures and the reroute.
    await page.mouse.click(g.x, g.y);
    await page.keyboard.press('?');
    const lines = await page.locator('[role="dialog"] li').allTextContents();
    expect(lines).toContain('Double-click a wire put a reroute point on it');
    expect(lines).toContain(
      'Ctrl+drag on the canvas / Drag on empty canvas (Left-drag: select) box-select nodes (Shift held: add to the selection)',
    );
    await page.context().close();
  });
});

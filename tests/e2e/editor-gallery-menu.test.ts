import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, screenshot } from '../helpers/browser.js';
import { useEditorSession } from '../helpers/editor-session.js';

/** Task L (#16): the gallery is built from the server's history; the node menu (right-click a node). */

const session = useEditorSession();

async function openEditor(): Promise<Page> {
  const context = await session.browser().newContext({ viewport: { width: 1500, height: 950 }, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(session.server().url);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.waitForSelector('[data-testid="node-3"]');
  return page;
}

async function box(page: Page, selector: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const found = await page.locator(selector).first().boundingBox();
  if (!found) throw new Error(`cannot find ${selector}`);
  return found;
}

/** Right-clicks the middle of a node's title bar with the mouse and waits for the menu. */
async function openMenu(page: Page, nodeId: string): Promise<void> {
  const header = await box(page, `[data-testid="node-${nodeId}"] .node-header`);
  await page.mouse.click(header.x + header.width / 2, header.y + header.height / 2, { button: 'right' });
  await page.waitForSelector('[data-testid="node-menu"]');
}

async function clickOn(page: Page, selector: string): Promise<void> {
  const target = await box(page, selector);
  await page.mouse.click(target.x + target.width / 2, target.y + target.height / 2);
}

async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  await clickOn(page, selector);
  await page.keyboard.press('End');
  for (let i = 0; i < 8; i++) await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
  await page.keyboard.press('Tab');
}

/** The view URL of the first temp image in the server's history, as the editor writes it. */
async function firstTempImage(): Promise<string | undefined> {
  const response = await fetch(`${session.server().url}/api/history`);
  const history = (await response.json()) as Record<
    string,
    { outputs: Record<string, { images?: { filename: string; subfolder: string; type: string }[] }> }
  >;
  const image = Object.values(history)
    .flatMap((entry) => Object.values(entry.outputs).flatMap((output) => output.images ?? []))
    .find((candidate) => candidate.type === 'temp');
  if (!image) return undefined;
  const { filename, subfolder, type } = image;
  return `/api/view?${new URLSearchParams({ filename, subfolder, type }).toString()}`;
}

const nodeClass = (page: Page, id: string) => page.locator(`[data-testid="node-${id}"]`).getAttribute('class');
const menuCount = (page: Page) => page.locator('[data-testid="node-menu"]').count();

describe.skipIf(!hasChromium)('gallery from history, node menu', () => {
  it("keeps a run's image in the gallery after a reload, saved only until temp previews are asked for", async () => {
    const page = await openEditor();
    await typeInto(page, '#w-3-steps', '3');
    await clickOn(page, '[data-testid="run"]');
    // Generous: other work shares this machine's two cores.
    await page.waitForSelector('[data-testid="output-9"]', { timeout: 150_000 });
    const savedSrc = await page.locator('[data-testid="output-9"]').first().getAttribute('src');
    expect(savedSrc).toContain('type=output');
    await screenshot(page, 'l-run-done');
    // The default workflow also previews a mask (a temp image); the run is over once the history lists it.
    await expect.poll(firstTempImage, { timeout: 120_000, interval: 500 }).toBeDefined();
    const tempSrc = await firstTempImage();

    await page.reload();
    await page.waitForSelector('[data-testid="node-3"]');
    await clickOn(page, '[data-testid="tab-gallery"]');
    const gallery = page.locator('[data-testid="gallery"] img');
    const sources = () => gallery.evaluateAll((images) => images.map((image) => image.getAttribute('src')));
    await expect.poll(sources, { timeout: 10_000 }).toContain(savedSrc);
    expect(await page.locator('[data-testid="gallery"] a[data-type="temp"]').count()).toBe(0);
    await screenshot(page, 'l-gallery-after-reload');

    await clickOn(page, '[data-testid="gallery-show-temp"]');
    await expect.poll(sources, { timeout: 10_000 }).toContain(tempSrc);
    expect(await sources()).toContain(savedSrc);
    expect(await page.locator('[data-testid="gallery"] a[data-type="temp"]').count()).toBeGreaterThan(0);
    await screenshot(page, 'l-gallery-with-temp');
    await page.context().close();
  }, 240_000);

  it('bypasses, mutes, collapses, colours, pins, renames and removes a node from its menu, each one undo step', async () => {
    const page = await openEditor();
    await openMenu(page, '3');
    await screenshot(page, 'l-node-menu');

    // Bypass, then undo it with one Ctrl+Z.
    await clickOn(page, '[data-testid="node-menu-bypass"]');
    await expect.poll(() => nodeClass(page, '3')).toContain('bypassed');
    expect(await menuCount(page)).toBe(0);
    await page.keyboard.press('Control+z');
    await expect.poll(() => nodeClass(page, '3')).not.toContain('bypassed');

    // Mute.
    await openMenu(page, '3');
    await clickOn(page, '[data-testid="node-menu-mute"]');
    await expect.poll(() => nodeClass(page, '3')).toContain('muted');
    await page.keyboard.press('Control+z');
    await expect.poll(() => nodeClass(page, '3')).not.toContain('muted');

    // Collapse hides the body; the menu then offers Expand.
    await openMenu(page, '3');
    await clickOn(page, '[data-testid="node-menu-collapse"]');
    await expect.poll(() => page.locator('[data-testid="node-3"] .node-body').count()).toBe(0);
    await openMenu(page, '3');
    expect(await page.locator('[data-testid="node-menu-collapse"]').textContent()).toBe('Expand');
    await clickOn(page, '[data-testid="node-menu-collapse"]');
    await expect.poll(() => page.locator('[data-testid="node-3"] .node-body').count()).toBe(1);

    // Colour: ComfyUI's red paints the body #533 and the title bar #322.
    await openMenu(page, '3');
    await clickOn(page, '[data-testid="node-menu-colour-red"]');
    const colours = () =>
      page
        .locator('[data-testid="node-3"]')
        .evaluate((node) => [
          getComputedStyle(node).backgroundColor,
          getComputedStyle(node.querySelector('.node-header')!).backgroundColor,
        ]);
    await expect.poll(colours).toEqual(['rgb(85, 51, 51)', 'rgb(51, 34, 34)']);
    await screenshot(page, 'l-node-coloured');
    await page.keyboard.press('Control+z');
    await expect.poll(colours).not.toContain('rgb(85, 51, 51)');

    // Pin: an unpinned node moves when dragged by its title; a pinned one stays.
    const drag = async (id: string): Promise<void> => {
      const header = await box(page, `[data-testid="node-${id}"] .node-header`);
      await page.mouse.move(header.x + 30, header.y + header.height / 2);
      await page.mouse.down();
      await page.mouse.move(header.x + 70, header.y + header.height / 2 + 40, { steps: 5 });
      await page.mouse.move(header.x + 110, header.y + header.height / 2 + 80, { steps: 5 });
      await page.mouse.up();
    };
    const before = await box(page, '[data-testid="node-3"]');
    await drag('3');
    const moved = await box(page, '[data-testid="node-3"]');
    // React Flow starts a drag past a small threshold, so the node moves a little less than the mouse.
    expect(moved.x - before.x).toBeGreaterThan(50);
    expect(moved.y - before.y).toBeGreaterThan(50);
    await openMenu(page, '3');
    await clickOn(page, '[data-testid="node-menu-pin"]');
    await page.waitForSelector('[data-testid="pinned-3"]');
    await drag('3');
    expect(await box(page, '[data-testid="node-3"]')).toEqual(moved);
    await screenshot(page, 'l-node-pinned');
    await openMenu(page, '3');
    expect(await page.locator('[data-testid="node-menu-pin"]').textContent()).toContain('Unpin');
    await clickOn(page, '[data-testid="node-menu-pin"]');
    await expect.poll(() => page.locator('[data-testid="pinned-3"]').count()).toBe(0);

    // Rename in place: the title turns into a text box over the title bar; Enter keeps it, Ctrl+Z takes it back.
    const title = page.locator('[data-testid="node-3"] .node-title');
    const oldTitle = await title.textContent();
    await openMenu(page, '3');
    await clickOn(page, '[data-testid="node-menu-rename"]');
    await page.waitForSelector('[data-testid="node-rename"] input:focus');
    await page.keyboard.type('Main sampler');
    await page.keyboard.press('Enter');
    await expect.poll(() => title.textContent()).toBe('Main sampler');
    await page.keyboard.press('Control+z');
    await expect.poll(() => title.textContent()).toBe(oldTitle);
    // Escape leaves the title as it was.
    await openMenu(page, '3');
    await clickOn(page, '[data-testid="node-menu-rename"]');
    await page.waitForSelector('[data-testid="node-rename"] input:focus');
    await page.keyboard.type('Not this');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid="node-rename"]').count()).toBe(0);
    expect(await title.textContent()).toBe(oldTitle);

    // Escape and a click elsewhere close the menu without doing anything.
    await openMenu(page, '3');
    await page.keyboard.press('Escape');
    await expect.poll(() => menuCount(page)).toBe(0);
    await openMenu(page, '3');
    // Empty canvas below the default workflow's Empty Latent Image.
    await page.mouse.click(440, 720);
    await expect.poll(() => menuCount(page)).toBe(0);
    expect(await nodeClass(page, '3')).not.toMatch(/bypassed|muted/);

    // Remove takes the node and its wires; one Ctrl+Z brings both back.
    const wires = await page.locator('.react-flow__edge').count();
    await openMenu(page, '3');
    await clickOn(page, '[data-testid="node-menu-remove"]');
    await expect.poll(() => page.locator('[data-testid="node-3"]').count()).toBe(0);
    expect(await page.locator('.react-flow__edge').count()).toBeLessThan(wires);
    await page.keyboard.press('Control+z');
    await page.waitForSelector('[data-testid="node-3"]');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(wires);
    await page.context().close();
  });

  it('shows the node menu in Chinese', async () => {
    const context = await session.browser().newContext({ viewport: { width: 1500, height: 950 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(session.server().url);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.waitForSelector('[data-testid="node-3"]');
    await openMenu(page, '3');
    expect(await page.locator('[data-testid="node-menu-bypass"]').textContent()).toBe('绕过');
    expect(await page.locator('[data-testid="node-menu-remove"]').textContent()).toBe('删除');
    await screenshot(page, 'l-node-menu-zh');
    await context.close();
  });
});

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, screenshot } from '../helpers/browser.js';
import { useEditorSession } from '../helpers/editor-session.js';

/** The first view at laptop, small-laptop and phone sizes, and groups that carry their nodes and can be renamed. */

const session = useEditorSession();

async function openEditor(width: number, height: number): Promise<Page> {
  const context = await session.browser().newContext({ viewport: { width, height }, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(session.server().url);
  // The default workflow is in, and the first fit (once React Flow has measured the nodes) has moved off zoom 1.
  await page.waitForFunction(() => {
    const viewport = document.querySelector<HTMLElement>('.react-flow__viewport');
    return (
      document.querySelector('.react-flow__node-ink') !== null &&
      viewport !== null &&
      !/scale\(1\)$/.test(viewport.style.transform)
    );
  });
  return page;
}

/** The canvas zoom, read from React Flow's viewport transform `translate(x, y) scale(z)`. */
async function zoom(page: Page): Promise<number> {
  const transform = await page.locator('.react-flow__viewport').evaluate((el) => (el as HTMLElement).style.transform);
  const match = /scale\(([\d.]+)\)/.exec(transform);
  if (!match) throw new Error(`no scale in ${transform}`);
  return Number(match[1]);
}

/** How far apart, vertically, the toolbar's items sit: 0 when they share one row. */
async function toolbarRowSpread(page: Page): Promise<{ spread: number; height: number; itemHeight: number }> {
  return page.locator('.toolbar').evaluate((toolbar) => {
    const items = Array.from(toolbar.children)
      .map((child) => child.getBoundingClientRect())
      .filter((rect) => rect.width > 0 && rect.height > 0);
    const centres = items.map((rect) => rect.top + rect.height / 2);
    return {
      spread: Math.max(...centres) - Math.min(...centres),
      height: toolbar.getBoundingClientRect().height,
      itemHeight: Math.max(...items.map((rect) => rect.height)),
    };
  });
}

/** Font size on screen (CSS px × zoom) of the widgets wholly inside the canvas. */
async function visibleWidgetTextSizes(page: Page): Promise<number[]> {
  const scale = await zoom(page);
  const sizes = await page.evaluate(() => {
    const canvas = document.querySelector('.canvas')!.getBoundingClientRect();
    return Array.from(document.querySelectorAll<HTMLElement>('.widget input, .widget select, .widget textarea'))
      .filter((el) => {
        const rect = el.getBoundingClientRect();
        return (
          rect.left >= canvas.left &&
          rect.right <= canvas.right &&
          rect.top >= canvas.top &&
          rect.bottom <= canvas.bottom
        );
      })
      .map((el) => parseFloat(getComputedStyle(el).fontSize));
  });
  return sizes.map((size) => size * scale);
}

async function box(page: Page, selector: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const found = await page.locator(selector).first().boundingBox();
  if (!found) throw new Error(`cannot find ${selector}`);
  return found;
}

/** Where each rendered workflow node is on screen, by id. */
async function inkBoxes(page: Page): Promise<Record<string, { x: number; y: number }>> {
  return page.evaluate(() =>
    Object.fromEntries(
      Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node-ink')).map((el) => {
        const rect = el.getBoundingClientRect();
        return [el.dataset.id ?? '', { x: Math.round(rect.x), y: Math.round(rect.y) }];
      }),
    ),
  );
}

describe.skipIf(!hasChromium)('a first view people can read', () => {
  it('at 1440×900 the toolbar is one row and the text is readable', async () => {
    const page = await openEditor(1440, 900);
    await screenshot(page, 'j-1440-first-view');
    const row = await toolbarRowSpread(page);
    expect(row.spread).toBeLessThan(4);
    expect(row.height).toBeLessThan(row.itemHeight * 1.8);
    expect(await zoom(page)).toBeGreaterThanOrEqual(0.85);
    const sizes = await visibleWidgetTextSizes(page);
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(10);
    // The file actions live in the More menu, opened with the mouse.
    await page.locator('[data-testid="more-actions"]').click();
    await expect.poll(() => page.getByRole('menuitem', { name: 'Export API JSON' }).isVisible()).toBe(true);
    await screenshot(page, 'j-1440-more-menu');
    await page.context().close();
  });

  it('at 1024×700 widgets show at a readable size', async () => {
    const page = await openEditor(1024, 700);
    await screenshot(page, 'j-1024-first-view');
    expect(await zoom(page)).toBeGreaterThanOrEqual(0.85);
    const sizes = await visibleWidgetTextSizes(page);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(10);
    await page.context().close();
  });

  it('at 390×844 the side panel is closed, the canvas has the width, and the toggle opens the panel over it', async () => {
    const page = await openEditor(390, 844);
    await screenshot(page, 'j-390-first-view');
    const canvas = await box(page, '.canvas');
    expect(canvas.width).toBeGreaterThanOrEqual(390 * 0.9);
    expect(await page.locator('.side-panel').isVisible()).toBe(false);
    const toggle = await box(page, '[data-testid="toggle-panel"]');
    await page.mouse.click(toggle.x + toggle.width / 2, toggle.y + toggle.height / 2);
    await expect.poll(() => page.locator('.side-panel').isVisible()).toBe(true);
    expect((await box(page, '.canvas')).width).toBeGreaterThanOrEqual(390 * 0.9);
    await screenshot(page, 'j-390-panel-open');
    await page.mouse.click(toggle.x + toggle.width / 2, toggle.y + toggle.height / 2);
    await expect.poll(() => page.locator('.side-panel').isVisible()).toBe(false);
    await page.context().close();
  });
});

describe.skipIf(!hasChromium)('the minimap', () => {
  it('draws the nodes, frames the view, and moves the view where it is clicked', async () => {
    const page = await openEditor(1440, 900);
    const map = await box(page, '[data-testid="minimap"]');
    // Drawn: the canvas has node pixels that differ from its background.
    const drawn = await page.locator('[data-testid="minimap"] canvas').evaluate((canvas) => {
      const context = (canvas as HTMLCanvasElement).getContext('2d')!;
      const { data } = context.getImageData(
        0,
        0,
        (canvas as HTMLCanvasElement).width,
        (canvas as HTMLCanvasElement).height,
      );
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      return painted;
    });
    expect(drawn).toBeGreaterThan(500);
    const before = await page.locator('.react-flow__viewport').evaluate((el) => (el as HTMLElement).style.transform);
    const frame = await box(page, '.ink-minimap-frame');
    // Click the minimap's top-left corner: the view centres there, so the frame moves up and left.
    await page.mouse.click(map.x + 10, map.y + 10);
    await expect
      .poll(() => page.locator('.react-flow__viewport').evaluate((el) => (el as HTMLElement).style.transform))
      .not.toBe(before);
    const moved = await box(page, '.ink-minimap-frame');
    expect(moved.x + moved.width / 2).toBeLessThan(frame.x + frame.width / 2);
    expect(moved.y + moved.height / 2).toBeLessThan(frame.y + frame.height / 2);
    await screenshot(page, 'j-minimap-moved');
    await page.context().close();
  });
});

describe.skipIf(!hasChromium)('groups', () => {
  it('carry the nodes inside them when dragged, and are renamed by double-clicking the title', async () => {
    const page = await openEditor(1440, 900);
    // Group the Empty Latent Image (away from the canvas's edges, where a drag would pan the view): click its title,
    // Ctrl+G.
    const title = await box(page, '[data-testid="node-5"] .node-title');
    await page.mouse.click(title.x + title.width / 2, title.y + title.height / 2);
    await page.keyboard.press('Control+g');
    await page.waitForSelector('.react-flow__node-group');
    const groupTitle = '.react-flow__node-group .group-title';
    const inside = await box(page, '[data-testid="node-5"]');
    const { 5: _latent, ...outside } = await inkBoxes(page);
    expect(Object.keys(outside).length).toBeGreaterThan(0);
    const frame = await box(page, groupTitle);
    const group = await box(page, '.react-flow__node-group');

    // Drag the group with the mouse by a point of its own frame (not a node or a wire over it), title first.
    const start = await page.evaluate(
      ([title, frame]) => {
        const points = [{ x: title.x + 20, y: title.y + title.height / 2 }];
        for (let y = frame.y + 5; y < frame.y + frame.height; y += 10)
          for (let x = frame.x + 5; x < frame.x + frame.width; x += 10) points.push({ x, y });
        return points.find(({ x, y }) => {
          const hit = document.elementFromPoint(x, y);
          return hit?.closest('.react-flow__node-group') && !hit.closest('input');
        });
      },
      [frame, group] as const,
    );
    if (!start) throw new Error('no free point on the group frame');
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(start.x + 60, start.y + 40, { steps: 5 });
    await page.mouse.move(start.x + 120, start.y + 80, { steps: 5 });
    await page.mouse.up();
    const movedFrame = await box(page, groupTitle);
    const movedInside = await box(page, '[data-testid="node-5"]');
    const { 5: _moved, ...stayed } = await inkBoxes(page);
    // React Flow starts a drag past a threshold, so the frame follows most of the 120 px, not all.
    expect(movedFrame.x - frame.x).toBeGreaterThan(80);
    expect(movedFrame.y - frame.y).toBeGreaterThan(50);
    expect(movedInside.x - inside.x).toBeCloseTo(movedFrame.x - frame.x, 0);
    expect(movedInside.y - inside.y).toBeCloseTo(movedFrame.y - frame.y, 0);
    expect(stayed).toEqual(outside);
    await screenshot(page, 'j-group-dragged');

    // Rename: double-click, type, Enter.
    const named = await box(page, groupTitle);
    await page.mouse.dblclick(named.x + named.width / 2, named.y + named.height / 2);
    await page.waitForSelector('.react-flow__node-group input.group-title');
    await page.keyboard.type('Sampling');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator(groupTitle).textContent()).toBe('Sampling');
    await screenshot(page, 'j-group-renamed');

    // Escape leaves the title as it was.
    await page.mouse.dblclick(named.x + named.width / 2, named.y + named.height / 2);
    await page.waitForSelector('.react-flow__node-group input.group-title');
    await page.keyboard.type('Nope');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator(groupTitle).textContent()).toBe('Sampling');

    // One undo takes the rename back, redo brings it again.
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator(groupTitle).textContent()).toBe('Group');
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => page.locator(groupTitle).textContent()).toBe('Sampling');

    // Saved: a reload keeps the name and where the group and its node went.
    await page.waitForFunction(() => (localStorage.getItem('inkgraph.document') ?? '').includes('Sampling'));
    await page.reload();
    await page.waitForSelector(groupTitle);
    expect(await page.locator(groupTitle).textContent()).toBe('Sampling');
    const saved = await page.evaluate(() => localStorage.getItem('inkgraph.document') ?? '');
    expect(saved).toContain('"title":"Sampling"');
    await page.context().close();
  });
});

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, screenshot } from '../helpers/browser.js';
import { openFreshEditor, showWholeGraph, useEditorSession } from '../helpers/editor-session.js';

/**
 * The output viewer (#16): a run's output opens a lightbox (wheel zoom about the cursor, drag pan, ←/→ through the
 * batch, the run's prompt and seed, "Load this workflow"), two outputs compare with a slider or side by side, and the
 * gallery opens the viewer after a reload. Real mouse and keyboard only.
 */

const session = useEditorSession();
const PROMPT = 'a small rocket on the left, blue background';

type Box = { x: number; y: number; width: number; height: number };

async function box(page: Page, selector: string): Promise<Box> {
  const found = await page.locator(selector).first().boundingBox();
  if (!found) throw new Error(`cannot find ${selector}`);
  return found;
}

async function clickOn(page: Page, selector: string, modifiers: ('Control' | 'Shift')[] = []): Promise<void> {
  const target = await box(page, selector);
  for (const key of modifiers) await page.keyboard.down(key);
  await page.mouse.click(target.x + target.width / 2, target.y + target.height / 2);
  for (const key of modifiers) await page.keyboard.up(key);
}

/** Types into a field as a user does: click it, select what is there, type. */
async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  await clickOn(page, selector);
  await page.keyboard.press('Control+a');
  await page.keyboard.type(text);
  await page.keyboard.press('Tab');
}

const text = (page: Page, selector: string) => page.locator(selector).first().textContent();
const count = (page: Page, selector: string) => page.locator(selector).count();
const scale = async (page: Page) =>
  Number(await page.locator('[data-testid="viewer-pane"]').getAttribute('data-scale'));
const imageTransform = (page: Page) =>
  page.locator('[data-testid="viewer-image"]').evaluate((image) => image.style.transform);

describe.skipIf(!hasChromium)('the output viewer', () => {
  it('opens a run in a lightbox, compares two outputs, loads the run, and opens from the gallery after a reload', async () => {
    const page = await openFreshEditor(session);
    await page.waitForSelector('[data-testid="node-3"][data-class="KSampler"]');
    // A short run of two images in one batch.
    await typeInto(page, '#w-3-steps', '3');
    await typeInto(page, '#w-5-batch_size', '2');
    await clickOn(page, '[data-testid="run"]');
    await showWholeGraph(page, '9');
    // Generous: other work shares this machine's two cores.
    await expect.poll(() => count(page, '[data-testid="output-9"]'), { timeout: 150_000, interval: 500 }).toBe(2);
    const seed = await page.locator('#w-3-seed').inputValue();

    // A click on the node's first image opens the lightbox on it.
    await clickOn(page, '[data-testid="output-9"]');
    const viewer = page.locator('[data-testid="viewer"]');
    await viewer.waitFor();
    expect(await viewer.getAttribute('role')).toBe('dialog');
    expect(await viewer.getAttribute('aria-modal')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('viewer');
    await page.waitForFunction(() => {
      const image = document.querySelector<HTMLImageElement>('[data-testid="viewer-image"]');
      return image?.complete && image.style.visibility !== 'hidden';
    });
    expect(await text(page, '[data-testid="viewer-counter"]')).toMatch(/^1 \/ \d+$/);
    const total = Number((await text(page, '[data-testid="viewer-counter"]'))!.split('/')[1]);
    expect(total).toBeGreaterThanOrEqual(2);
    // The 64×64 image is shown big, with crisp pixels.
    const shown = await box(page, '[data-testid="viewer-image"]');
    expect(shown.width).toBeGreaterThan(300);
    expect(
      await page.locator('[data-testid="viewer-image"]').evaluate((image) => getComputedStyle(image).imageRendering),
    ).toBe('pixelated');
    // The run's prompt text and seed, read from the server's history.
    await expect.poll(() => text(page, '[data-testid="viewer-positive"]'), { timeout: 20_000 }).toBe(PROMPT);
    expect(await text(page, '[data-testid="viewer-seed"]')).toBe(seed);
    expect(await text(page, '[data-testid="viewer-steps"]')).toBe('3');
    expect(await text(page, '[data-testid="viewer-size"]')).toContain('64×64');
    await screenshot(page, 'v-lightbox');

    // The wheel zooms in about the cursor: the image point under it stays under it.
    const pane = await box(page, '[data-testid="viewer-pane"]');
    const at = { x: pane.x + pane.width * 0.3, y: pane.y + pane.height * 0.4 };
    const before = await scale(page);
    const imageBefore = await box(page, '[data-testid="viewer-image"]');
    const u = (at.x - imageBefore.x) / imageBefore.width;
    await page.mouse.move(at.x, at.y);
    await page.mouse.wheel(0, -300);
    await expect.poll(() => scale(page)).toBeGreaterThan(before * 1.5);
    const imageAfter = await box(page, '[data-testid="viewer-image"]');
    expect((at.x - imageAfter.x) / imageAfter.width).toBeCloseTo(u, 2);
    await screenshot(page, 'v-zoomed');

    // A drag pans.
    const transform = await imageTransform(page);
    await page.mouse.down();
    await page.mouse.move(at.x + 120, at.y + 60, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => imageTransform(page)).not.toBe(transform);
    const panned = await box(page, '[data-testid="viewer-image"]');
    expect(panned.x - imageAfter.x).toBeCloseTo(120, 0);

    // Fit, 1:1 and the double-click toggle.
    await clickOn(page, '[data-testid="viewer-fit"]');
    await expect.poll(() => scale(page)).toBeCloseTo(before, 3);
    await clickOn(page, '[data-testid="viewer-actual"]');
    await expect.poll(() => text(page, '[data-testid="viewer-zoom"]')).toBe('100%');
    await page.mouse.dblclick(pane.x + pane.width / 2, pane.y + pane.height / 2);
    await expect.poll(() => scale(page)).toBeCloseTo(before, 3);
    await page.mouse.dblclick(pane.x + pane.width / 2, pane.y + pane.height / 2);
    await expect.poll(() => scale(page)).toBe(1);
    // Keys: 0 fits, + zooms in, 1 is actual size.
    await page.keyboard.press('0');
    await expect.poll(() => scale(page)).toBeCloseTo(before, 3);
    await page.keyboard.press('+');
    await expect.poll(() => scale(page)).toBeCloseTo(before * 1.25, 3);
    await page.keyboard.press('1');
    await expect.poll(() => scale(page)).toBe(1);

    // → shows the batch's second image, ← the first again.
    const firstSrc = await page.locator('[data-testid="viewer-image"]').getAttribute('src');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => text(page, '[data-testid="viewer-counter"]')).toBe(`2 / ${total}`);
    const secondSrc = await page.locator('[data-testid="viewer-image"]').getAttribute('src');
    expect(secondSrc).not.toBe(firstSrc);
    const batch = await page
      .locator('[data-testid="output-9"]')
      .evaluateAll((images) => images.map((image) => image.getAttribute('src')));
    expect(batch).toEqual([firstSrc, secondSrc]);
    // The same run: the same prompt and seed.
    expect(await text(page, '[data-testid="viewer-seed"]')).toBe(seed);
    await screenshot(page, 'v-lightbox-second');
    await page.keyboard.press('End');
    await expect.poll(() => text(page, '[data-testid="viewer-counter"]')).toBe(`${total} / ${total}`);
    await page.keyboard.press('Home');
    await expect.poll(() => text(page, '[data-testid="viewer-counter"]')).toBe(`1 / ${total}`);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => text(page, '[data-testid="viewer-counter"]')).toBe(`1 / ${total}`);

    // Compare with… the batch's second image: the slider first.
    await clickOn(page, '[data-testid="viewer-compare-with"]');
    await page.waitForSelector('[data-testid="viewer-pick"]');
    await screenshot(page, 'v-compare-pick');
    await clickOn(page, '[data-testid="viewer-pick-image"]');
    const compare = page.locator('[data-testid="compare"]');
    await compare.waitFor();
    expect(await compare.getAttribute('data-mode')).toBe('slider');
    expect(await page.locator('[data-testid="compare-left"]').getAttribute('src')).toBe(firstSrc);
    expect(await page.locator('[data-testid="compare-right"]').getAttribute('src')).toBe(secondSrc);
    const clip = () => page.locator('[data-testid="compare-clip"]').evaluate((element) => element.style.clipPath);
    expect(await clip()).toBe('inset(0px 0px 0px 50%)');
    // Drag the divider to a quarter of the pane.
    const divider = await box(page, '[data-testid="compare-divider"]');
    const slider = await box(page, '[data-testid="compare"] .viewer-pane');
    await page.mouse.move(divider.x + divider.width / 2, divider.y + divider.height / 2);
    await page.mouse.down();
    await page.mouse.move(slider.x + slider.width * 0.25, divider.y + divider.height / 2, { steps: 6 });
    await page.mouse.up();
    await expect.poll(clip).toMatch(/^inset\(0px 0px 0px 2[45](\.\d+)?%\)$/);
    const valueNow = () => page.locator('[data-testid="compare-divider"]').getAttribute('aria-valuenow');
    expect(await valueNow()).toBe('25');
    // Dragging the divider moved no image.
    await screenshot(page, 'v-compare-slider');
    // The focused divider moves with ← and →.
    await page.locator('[data-testid="compare-divider"]').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect.poll(valueNow).toBe('35');
    await expect.poll(clip).toMatch(/^inset\(0px 0px 0px 35(\.0+)?%\)$/);

    // Side by side: both images, at the same scale, next to each other.
    await clickOn(page, '[data-testid="compare-side"]');
    await expect.poll(() => compare.getAttribute('data-mode')).toBe('side');
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLImageElement>('[data-testid="compare"] .viewer-image')).every(
        (image) => image.complete && image.style.visibility !== 'hidden',
      ),
    );
    const left = await box(page, '[data-testid="compare-left"]');
    const right = await box(page, '[data-testid="compare-right"]');
    expect(left.width).toBeGreaterThan(200);
    expect(right.width).toBeCloseTo(left.width, 0);
    expect(right.x).toBeGreaterThan(left.x + left.width);
    await screenshot(page, 'v-compare-side');
    // Zooming one pane zooms both.
    await page.mouse.move(left.x + left.width / 2, left.y + left.height / 2);
    await page.mouse.wheel(0, -200);
    await expect
      .poll(async () => (await box(page, '[data-testid="compare-right"]')).width)
      .toBeGreaterThan(right.width * 1.3);
    expect((await box(page, '[data-testid="compare-left"]')).width).toBeCloseTo(
      (await box(page, '[data-testid="compare-right"]')).width,
      0,
    );
    await page.keyboard.press('Escape');
    await expect.poll(() => count(page, '[data-testid="compare"]')).toBe(0);

    // Escape closes the lightbox.
    await expect.poll(() => count(page, '[data-testid="output-9"]')).toBeGreaterThan(0);
    await clickOn(page, '[data-testid="output-9"]');
    await viewer.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => count(page, '[data-testid="viewer"]')).toBe(0);

    // Load this workflow: brings back the run's prompt after an edit, and closes the viewer.
    await showWholeGraph(page, '6');
    const promptField = '[data-testid="node-6"] textarea';
    await expect.poll(() => page.locator(promptField).count()).toBeGreaterThan(0);
    await clickOn(page, promptField);
    await page.keyboard.press('Control+a');
    await page.keyboard.type('a green tree');
    await expect.poll(() => page.locator(promptField).inputValue()).toBe('a green tree');
    await showWholeGraph(page, '9');
    await clickOn(page, '[data-testid="output-9"]');
    await viewer.waitFor();
    await expect.poll(() => text(page, '[data-testid="viewer-positive"]'), { timeout: 20_000 }).toBe(PROMPT);
    await clickOn(page, '[data-testid="viewer-load-workflow"]');
    await expect.poll(() => count(page, '[data-testid="viewer"]')).toBe(0);
    await page.waitForSelector(promptField);
    await expect.poll(() => page.locator(promptField).inputValue()).toBe(PROMPT);
    // The run's own seed, not the one the node moved on to.
    expect(await page.locator('#w-3-seed').inputValue()).toBe(seed);
    await screenshot(page, 'v-workflow-loaded');

    // After a reload the gallery still has the run, and a thumbnail opens the lightbox.
    await page.reload();
    await page.waitForSelector('[data-testid="node-3"]');
    await clickOn(page, '[data-testid="tab-gallery"]');
    const thumbnail = '[data-testid="gallery"] a';
    await expect.poll(() => count(page, thumbnail), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'v-gallery-after-reload');
    await clickOn(page, thumbnail);
    await viewer.waitFor();
    expect(await text(page, '[data-testid="viewer-counter"]')).toMatch(/^1 \/ \d+$/);
    await expect.poll(() => text(page, '[data-testid="viewer-seed"]'), { timeout: 20_000 }).toBe(seed);
    expect(await text(page, '[data-testid="viewer-positive"]')).toBe(PROMPT);
    await screenshot(page, 'v-lightbox-from-gallery');
    // Tab stays inside the dialog.
    for (let i = 0; i < 12; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('[data-testid="viewer"]') !== null)).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => count(page, '[data-testid="viewer"]')).toBe(0);
    // Focus is back on the thumbnail that opened it.
    expect(await page.evaluate(() => document.activeElement?.closest('[data-testid="gallery"]') !== null)).toBe(true);

    // A run in the History tab opens the viewer on its images too.
    await clickOn(page, '[data-testid="tab-history"]');
    await clickOn(page, '[data-testid="history-image"]');
    await viewer.waitFor();
    expect(await text(page, '[data-testid="viewer-counter"]')).toMatch(/^1 \/ \d+$/);
    await page.keyboard.press('Escape');
    await expect.poll(() => count(page, '[data-testid="viewer"]')).toBe(0);
    await clickOn(page, '[data-testid="tab-gallery"]');

    // Ctrl+click two thumbnails, then Compare.
    expect(await page.locator('[data-testid="gallery-compare"]').isDisabled()).toBe(true);
    await clickOn(page, `${thumbnail}:nth-child(1)`, ['Control']);
    await clickOn(page, `${thumbnail}:nth-child(2)`, ['Control']);
    expect(await count(page, `${thumbnail}.picked`)).toBe(2);
    expect(await count(page, '[data-testid="viewer"]')).toBe(0);
    await clickOn(page, '[data-testid="gallery-compare"]');
    await page.waitForSelector('[data-testid="compare"]');
    await clickOn(page, '[data-testid="compare-side"]');
    await page.waitForSelector('[data-testid="compare-right"]');
    await screenshot(page, 'v-gallery-compare');
    await page.keyboard.press('Escape');
    await expect.poll(() => count(page, '[data-testid="compare"]')).toBe(0);
    await page.context().close();
  }, 300_000);

  it('speaks Chinese in the lightbox and the compare view', async () => {
    const url = session.server().url;
    const context = await session.browser().newContext({ viewport: { width: 1500, height: 950 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(url);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.waitForSelector('[data-testid="node-3"][data-class="KSampler"]');
    await typeInto(page, '#w-3-steps', '2');
    await clickOn(page, '[data-testid="run"]');
    await showWholeGraph(page, '9');
    await page.waitForSelector('[data-testid="output-9"]', { timeout: 150_000 });
    await clickOn(page, '[data-testid="output-9"]');
    await page.waitForSelector('[data-testid="viewer"]');
    await expect.poll(() => text(page, '[data-testid="viewer-positive"]'), { timeout: 20_000 }).toBe(PROMPT);
    const words = () => page.locator('[data-testid="viewer"], [data-testid="compare"]').first().innerText();
    const shown = await words();
    for (const chinese of [
      '提示词',
      '反向提示词',
      '种子',
      '步数',
      '采样器',
      '尺寸',
      '模型',
      '载入此工作流',
      '适应',
      '与…对比',
    ])
      expect(shown).toContain(chinese);
    for (const english of [
      'Seed',
      'Steps',
      'Sampler',
      'Model',
      'Prompt (negative)',
      'Load this workflow',
      'Compare with',
    ])
      expect(shown).not.toContain(english);
    await screenshot(page, 'v-zh-lightbox');
    // On a phone-sized window the run info goes under the image, which still fills the width.
    await page.setViewportSize({ width: 390, height: 800 });
    await expect.poll(async () => (await box(page, '[data-testid="viewer-image"]')).width).toBeGreaterThan(300);
    await screenshot(page, 'v-zh-narrow');
    await page.setViewportSize({ width: 1500, height: 950 });
    await clickOn(page, '[data-testid="viewer-compare-with"]');
    expect(await words()).toContain('选择要对比的图像');
    await clickOn(page, '[data-testid="viewer-pick-image"]');
    await page.waitForSelector('[data-testid="compare"]');
    const compare = await words();
    for (const chinese of ['并排', '滑块']) expect(compare).toContain(chinese);
    expect(await page.locator('[data-testid="compare-divider"]').getAttribute('aria-label')).toContain('分隔线');
    await screenshot(page, 'v-zh-compare');
    await context.close();
  }, 200_000);
});

import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knownCategorySegments } from '../../client/src/i18n/categories.js';
import { en, zhCN } from '../../client/src/i18n/messages.js';
import type { ObjectInfo } from '../../shared/node-spec.js';
import { CLIENT_DIR, hasChromium, launchBrowser, screenshot } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The editor in zh-CN, walked with the mouse and keyboard: no English text a person sees is left. */

const root = resolve(import.meta.dirname, '..', '..');
let server: TestServer;
let browser: Browser;
let objectInfo: ObjectInfo;

beforeAll(async () => {
  if (!hasChromium) return;
  server = await startTestServer({ clientDir: CLIENT_DIR, modelsDir: join(root, 'models') });
  browser = await launchBrowser();
  objectInfo = (await (await fetch(`${server.url}/object_info`)).json()) as ObjectInfo;
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Words ComfyUI's Chinese UI leaves in English too: the product's name, file formats, model-part names and the
 * Delete key's name (as printed on the key, in 按 Delete 删除).
 * Class names (`SaveImage`) are identifiers and stay as well.
 */
const ALLOWED = new Set(['Inkgraph', 'JSON', 'PNG', 'API', 'CFG', 'VAE', 'CLIP', 'KSampler', 'Delete']);

/** Every English text the UI could show: catalogue values, node display names, tooltips and React Flow's. */
function knownEnglish(): string[] {
  const texts = new Set<string>();
  for (const [key, value] of Object.entries(en)) {
    // The server's own words for an error type stay English after their Chinese explanation, as the brief asks.
    if (key.startsWith('error.') || zhCN[key as keyof typeof en] === value) continue;
    const parts = value.split(/\{\w+\}/).map((part) => part.trim());
    // A template's single words ("{node} failed") are too common to tell apart from the server's kept English.
    for (const part of parts)
      if (/[A-Za-z]{3}/.test(part) && (parts.length === 1 || part.includes(' '))) texts.add(part);
  }
  for (const info of Object.values(objectInfo)) {
    if (info.display_name !== info.name) texts.add(info.display_name);
    for (const spec of Object.values({ ...info.input.required, ...info.input.optional }))
      if (spec[1]?.tooltip) texts.add(spec[1].tooltip);
  }
  for (const label of ['Control Panel', 'Zoom In', 'Zoom Out', 'Fit View', 'Toggle Interactivity', 'Mini Map'])
    texts.add(label);
  texts.add('Press enter or space to select');
  texts.add('Examples');
  return [...texts].filter((text) => text.length > 0 && !ALLOWED.has(text) && !(text in objectInfo));
}

/**
 * Category names and their words, matched only as a whole text (a palette heading, a search hit's category):
 * Chinese descriptions may quote an input such as image2 or mask, which is no untranslated heading.
 */
function knownCategories(): Set<string> {
  return new Set([...knownCategorySegments, ...Object.values(objectInfo).map((info) => info.category)]);
}

/** The page's text and the attributes people read (titles, labels, placeholders), without widget values. */
async function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node instanceof Text) {
        const parent = node.parentElement;
        // A combo's options are the node's own values (sampler names, files), which ComfyUI leaves as they are.
        if (parent?.closest('textarea, script, style, .widget select:not(.seed-control)')) continue;
        if (node.data.trim()) out.push(node.data.trim());
      } else if (node instanceof Element) {
        for (const name of ['title', 'aria-label', 'placeholder', 'alt']) {
          const value = node.getAttribute(name);
          if (value?.trim()) out.push(value.trim());
        }
      }
    }
    return out;
  });
}

function englishIn(texts: readonly string[], english: readonly string[]): string[] {
  const categories = knownCategories();
  const found = new Set<string>();
  for (const text of texts) {
    if (categories.has(text)) found.add(`category ← ${text}`);
    for (const word of english) {
      const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (new RegExp(`(?<![A-Za-z0-9_])${escaped}(?![A-Za-z0-9_])`).test(text)) found.add(`${word} ← ${text}`);
    }
  }
  return [...found];
}

/** A message key left as the text (a missing catalogue entry shows its key). */
function catalogueKeysIn(texts: readonly string[]): string[] {
  const keys = Object.keys(en).filter((key) => /[._]/.test(key));
  return texts.filter((text) => keys.includes(text));
}

describe.skipIf(!hasChromium)('the editor in Simplified Chinese', () => {
  it(
    'shows no English in the palette, the panels, new nodes, tooltips, React Flow and refusals',
    { timeout: 180_000 },
    async () => {
      const context = await browser.newContext({ viewport: { width: 1500, height: 950 }, locale: 'zh-CN' });
      const page = await context.newPage();
      await page.goto(server.url);
      await page.evaluate(() => localStorage.clear());
      await page.reload();
      await page.waitForSelector('[data-testid="node-3"]');
      const english = knownEnglish();
      const seen: string[] = [];

      // Every category open in the palette, then every tab.
      await page.locator('[data-testid="tab-palette"]').click();
      for (const summary of await page.locator('.palette details:not([open]) > summary').all()) await summary.click();
      expect(await page.locator('.palette details:not([open])').count()).toBe(0);
      // The palette alone first: the categories are where English showed most.
      expect(englishIn(await visibleTexts(page), english)).toEqual([]);
      expect(await page.locator('.palette summary[data-category="image/postprocessing"]').textContent()).toBe(
        '图像/后期处理',
      );
      seen.push(...(await visibleTexts(page)));
      await screenshot(page, 'k-palette');
      for (const tab of ['queue', 'history', 'gallery', 'library']) {
        await page.locator(`[data-testid="tab-${tab}"]`).click();
        seen.push(...(await visibleTexts(page)));
      }
      expect(await page.locator('.library h4').textContent()).toBe('示例');
      await screenshot(page, 'k-library');

      // An empty canvas (select all, delete), then one node of each category from the palette.
      await page.locator('[data-testid="node-3"] .node-title').click();
      await page.keyboard.press('Control+a');
      await page.keyboard.press('Delete');
      await expect.poll(() => page.locator('.react-flow__node').count()).toBe(0);
      await page.locator('[data-testid="tab-palette"]').click();
      const firstOfEach = new Map<string, string>();
      for (const info of Object.values(objectInfo))
        if (!firstOfEach.has(info.category)) firstOfEach.set(info.category, info.name);
      firstOfEach.set('vision', 'DescribeImage');
      // Save Image last: every node lands at the centre, and the last one is on top for the mouse to hover.
      firstOfEach.delete('image');
      firstOfEach.set('image', 'SaveImage');
      for (const classType of firstOfEach.values()) await page.locator(`[data-testid="palette-${classType}"]`).click();
      await expect.poll(() => page.locator('.react-flow__node').count()).toBe(firstOfEach.size);

      // A new node's title is Chinese, and Describe Image describes in Chinese.
      const saveTitle = await page.locator('[data-class="SaveImage"] .node-title').textContent();
      expect(saveTitle).toBe('保存图像');
      expect(await page.locator('[data-class="DescribeImage"] select[aria-label="语言"]').inputValue()).toBe('zh');

      // Hovering widgets shows their tooltips in Chinese.
      const tooltipAt = async (selector: string): Promise<string | undefined> => {
        await page.locator(selector).hover();
        return page.evaluate(
          () =>
            Array.from(document.querySelectorAll(':hover')).at(-1)?.closest('[title]')?.getAttribute('title') ??
            undefined,
        );
      };
      expect(await tooltipAt('[data-class="SaveImage"] .widget label')).toContain('保存文件的前缀');
      const widgetTitles = await page
        .locator('.widget[title]')
        .evaluateAll((widgets) => widgets.map((widget) => widget.getAttribute('title') ?? ''));
      expect(widgetTitles.length).toBeGreaterThan(3);
      for (const title of widgetTitles) expect(title).toMatch(/\p{Script=Han}/u);
      seen.push(...(await visibleTexts(page)));

      // React Flow's controls and the refused run's toast.
      expect(await page.locator('.react-flow__controls-zoomin').getAttribute('title')).toBe('放大');
      await page.locator('[data-testid="run"]').click();
      await page.waitForSelector('[data-testid="toast"]');
      const toast = (await page.locator('[data-testid="toast"]').first().textContent()) ?? '';
      expect(toast).toContain('缺少必需的输入');
      seen.push(...(await visibleTexts(page)));
      await screenshot(page, 'k-nodes-and-toast');

      expect(catalogueKeysIn(seen)).toEqual([]);
      expect(englishIn(seen, english)).toEqual([]);
      await context.close();
    },
  );
});

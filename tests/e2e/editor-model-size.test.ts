import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, screenshot } from '../helpers/browser.js';
import { openFreshEditor, useEditorSession } from '../helpers/editor-session.js';

/** #16: a new Empty Latent Image starts at the model's size (64×64 for the shipped model) and warns far from it. */

const session = useEditorSession();

async function openFresh(): Promise<Page> {
  const page = await openFreshEditor(session);
  await page.waitForSelector('[data-class="CheckpointLoaderSimple"]');
  return page;
}

describe.skipIf(!hasChromium)("sizes that fit the graph's model", () => {
  it('starts a new Empty Latent Image at 64×64 on the shipped model, and warns when it is made 512 wide', async () => {
    const page = await openFresh();
    const before = await page.locator('[data-class="EmptyLatentImage"]').count();
    await page.mouse.dblclick(700, 850);
    await page.waitForSelector('[data-testid="node-search"] input');
    await page.keyboard.type('Empty Latent Image');
    await page.keyboard.press('Enter');
    const added = page.locator('[data-class="EmptyLatentImage"]').nth(before);
    await added.waitFor();
    const id = (await added.getAttribute('data-testid'))!.replace('node-', '');
    expect(await page.locator(`#w-${id}-width`).inputValue()).toBe('64');
    expect(await page.locator(`#w-${id}-height`).inputValue()).toBe('64');
    await expect.poll(() => added.locator('[data-testid="model-size-warning"]').count()).toBe(0);

    await page.locator(`#w-${id}-width`).click({ clickCount: 3 });
    await page.keyboard.type('512');
    await page.keyboard.press('Tab');
    await page.locator(`#w-${id}-height`).click({ clickCount: 3 });
    await page.keyboard.type('512');
    await page.keyboard.press('Tab');
    const warning = added.locator('[data-testid="model-size-warning"]');
    await warning.waitFor();
    expect(await warning.textContent()).toContain('inkgraph-emoji was trained at 64×64');
    await screenshot(page, 'm-model-size-warning');
  });
});

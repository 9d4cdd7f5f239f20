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
});

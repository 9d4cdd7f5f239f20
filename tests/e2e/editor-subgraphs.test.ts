import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, screenshot } from '../helpers/browser.js';
import { openDefaultWorkflow, showWholeGraph, useEditorSession } from '../helpers/editor-session.js';

/** Subgraphs by real mouse and keys: convert a selection, run it, unpack it, and keep it over a reload. */

const session = useEditorSession();

const openEditor = (): Promise<Page> => openDefaultWorkflow(session);

const edges = (page: Page) => page.locator('.react-flow__edge').count();
const header = (page: Page, id: string) => page.locator(`[data-testid="node-${id}"] .node-header`);
const handles = (page: Page, id: string, kind: 'source' | 'target') =>
  page
    .locator(`[data-testid="node-${id}"] .react-flow__handle.${kind}`)
    .evaluateAll((all) => all.map((handle) => handle.getAttribute('data-handleid')));

/** Ctrl-click selects the two prompt encoders (the positive and the negative). */
async function selectPrompts(page: Page): Promise<void> {
  await header(page, '6').click();
  await header(page, '7').click({ modifiers: ['Control'] });
  await expect.poll(() => page.locator('.react-flow__node.selected').count()).toBe(2);
}

describe.skipIf(!hasChromium)('subgraphs', () => {
  it('Ctrl+Shift+E makes the selection one node with typed, named boundary sockets; it runs; unpack brings the nodes back', async () => {
    const page = await openEditor();
    const before = await edges(page);
    await selectPrompts(page);
    await page.keyboard.press('Control+Shift+E');
    await expect.poll(() => page.locator('[data-testid="node-6"]').count()).toBe(0);
    expect(await page.locator('[data-testid="node-7"]').count()).toBe(0);
    // One node: the two encoders share the checkpoint's CLIP, so one input; each conditioning is an output.
    const instance = page.locator('[data-testid="node-16"]');
    await expect.poll(() => instance.count()).toBe(1);
    expect(await instance.locator('.node-title').textContent()).toBe('New Subgraph');
    expect(await handles(page, '16', 'target')).toEqual(['clip']);
    expect(await handles(page, '16', 'source')).toEqual(['out-0', 'out-1']);
    expect(await instance.textContent()).toContain('CONDITIONING_1');
    // Two wires in and two out became one in and two out.
    expect(await edges(page)).toBe(before - 1);
    await screenshot(page, 's-converted');

    // Queued as ComfyUI's frontend sends it (16:6, 16:7), the image still arrives.
    await page.locator('[data-testid="run"]').click();
    await page.waitForSelector('[data-testid="output-9"]', { timeout: 60_000 });
    // Its inner nodes' progress shows on the subgraph node.
    await expect.poll(() => page.locator('[data-testid="node-16"]').getAttribute('class')).toMatch(/status-done/);
    await screenshot(page, 's-ran');
    // Opened, its inner nodes show their own run state.
    await header(page, '16').dblclick();
    await page.waitForSelector('[data-testid="node-6"][data-class="CLIPTextEncode"]');
    expect(await page.locator('[data-testid="node-6"]').getAttribute('class')).toMatch(/status-done/);
    await page.locator('[data-testid="subgraph-breadcrumb-root"]').click();
    await page.waitForSelector('[data-testid="node-3"][data-class="KSampler"]');

    // Kept over a reload (the document stores the subgraph).
    await page.reload();
    await page.waitForSelector('[data-testid="node-3"][data-class="KSampler"]');
    await showWholeGraph(page, '15');
    await expect.poll(() => page.locator('[data-testid="node-16"]').count()).toBe(1);
    expect(await handles(page, '16', 'source')).toEqual(['out-0', 'out-1']);

    // Unpack from the node menu: the two encoders with their wires, where they were.
    await header(page, '16').click({ button: 'right' });
    await page.locator('[data-testid="node-menu-unpack-subgraph"]').click();
    await expect.poll(() => page.locator('[data-testid="node-16"]').count()).toBe(0);
    expect(await page.locator('[data-testid="node-6"][data-class="CLIPTextEncode"]').count()).toBe(1);
    expect(await page.locator('[data-testid="node-7"][data-class="CLIPTextEncode"]').count()).toBe(1);
    expect(await edges(page)).toBe(before);
    expect(await page.locator('[data-testid="node-3"] .react-flow__handle[data-handleid="positive"]').count()).toBe(1);
    await screenshot(page, 's-unpacked');

    // Each command is one undo step.
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('[data-testid="node-16"]').count()).toBe(1);
    await page.context().close();
  });

  it('double-click opens the subgraph to edit inside; the breadcrumb goes back with the edit and a group drawn inside kept', async () => {
    const page = await openEditor();
    await selectPrompts(page);
    await page.keyboard.press('Control+Shift+E');
    await expect.poll(() => page.locator('[data-testid="node-16"]').count()).toBe(1);
    await header(page, '16').dblclick();
    await page.waitForSelector('[data-testid="subgraph-breadcrumb"]');
    expect(await page.locator('[data-testid="subgraph-breadcrumb"]').textContent()).toBe('Workflow›New Subgraph');
    // Inside: the two encoders between the boundary nodes, wired as before.
    await page.waitForSelector('[data-testid="node-6"][data-class="CLIPTextEncode"]');
    expect(await page.locator('[data-testid="node-3"]').count()).toBe(0);
    expect(await handles(page, '-10', 'source')).toEqual(['out-0']);
    expect(await handles(page, '-20', 'target')).toEqual(['CONDITIONING', 'CONDITIONING_1']);
    expect(await edges(page)).toBe(4);
    // An edit inside.
    await page.locator('#w-6-text').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('a red fox');
    await screenshot(page, 's-inside');
    // A group drawn inside: click the encoder's title, Ctrl+G.
    await header(page, '7').click();
    await page.keyboard.press('Control+g');
    await page.waitForSelector('.react-flow__node-group');
    await page.locator('[data-testid="subgraph-breadcrumb-root"]').click();
    await expect.poll(() => page.locator('[data-testid="subgraph-breadcrumb"]').count()).toBe(0);
    await page.waitForSelector('[data-testid="node-3"][data-class="KSampler"]');
    expect(await page.locator('[data-testid="node-16"]').count()).toBe(1);
    expect(await page.locator('.react-flow__node-group').count()).toBe(0);
    // Opened again, the group is still there (leaving once dropped it).
    await header(page, '16').dblclick();
    await page.waitForSelector('[data-testid="subgraph-breadcrumb"]');
    await expect.poll(() => page.locator('.react-flow__node-group').count()).toBe(1);
    await page.locator('[data-testid="subgraph-breadcrumb-root"]').click();
    await expect.poll(() => page.locator('[data-testid="subgraph-breadcrumb"]').count()).toBe(0);
    // Unpacked, the encoder has the text typed inside.
    await header(page, '16').click({ button: 'right' });
    await page.locator('[data-testid="node-menu-unpack-subgraph"]').click();
    await expect.poll(() => page.locator('#w-6-text').inputValue()).toBe('a red fox');
    await page.context().close();
  });

  it('an error of a node inside shows on the subgraph node', async () => {
    const page = await openEditor();
    await selectPrompts(page);
    await page.keyboard.press('Control+Shift+E');
    await expect.poll(() => page.locator('[data-testid="node-16"]').count()).toBe(1);
    await header(page, '16').dblclick();
    await page.waitForSelector('[data-testid="node--10"]');
    // Click the wire from the subgraph's clip input to the positive prompt, and delete it.
    const wire = page.locator('.react-flow__edge[data-id="-10:out-0->6:clip"] path.react-flow__edge-path');
    const point = await wire.evaluate((path) => {
      const svg = path as SVGPathElement;
      const middle = svg.getPointAtLength(svg.getTotalLength() / 2);
      const screen = new DOMPoint(middle.x, middle.y).matrixTransform(svg.getScreenCTM()!);
      return { x: screen.x, y: screen.y };
    });
    await page.mouse.click(point.x, point.y);
    await page.keyboard.press('Delete');
    await expect.poll(() => edges(page)).toBe(3);
    await page.locator('[data-testid="subgraph-breadcrumb-root"]').click();
    await page.waitForSelector('[data-testid="node-3"][data-class="KSampler"]');
    await page.locator('[data-testid="run"]').click();
    // The server names 16:6 (its clip is missing); the canvas shows node 16.
    await page.waitForSelector('[data-testid="node-16"].invalid');
    await screenshot(page, 's-inner-error');
    // Opened, the node the server named shows the error on its field.
    await header(page, '16').dblclick();
    await page.waitForSelector('[data-testid="node-6"].invalid');
    expect(await page.locator('[data-testid="node-7"].invalid').count()).toBe(0);
    await page.context().close();
  });

  it('a published subgraph is a blueprint in the node library of another workflow', async () => {
    const page = await openEditor();
    await selectPrompts(page);
    await page.keyboard.press('Control+Shift+E');
    await expect.poll(() => page.locator('[data-testid="node-16"]').count()).toBe(1);
    await header(page, '16').click({ button: 'right' });
    await page.locator('[data-testid="node-menu-publish-subgraph"]').click();
    // A new, empty workflow lists it under Subgraph Blueprints; a click places it.
    await page.locator('[data-testid="new-tab"]').click();
    await expect.poll(() => page.locator('[data-testid="node-3"]').count()).toBe(0);
    const blueprint = page.locator('details:has(summary[data-category="Subgraph Blueprints"]) button');
    await expect.poll(() => blueprint.count()).toBe(1);
    expect(await blueprint.textContent()).toContain('New Subgraph');
    await blueprint.click();
    await page.waitForSelector('[data-testid="node-1"]');
    expect(await handles(page, '1', 'target')).toEqual(['clip']);
    expect(await handles(page, '1', 'source')).toEqual(['out-0', 'out-1']);
    await screenshot(page, 's-blueprint');
    // Its subgraph came with it: it opens.
    await header(page, '1').dblclick();
    await page.waitForSelector('[data-testid="subgraph-breadcrumb"]');
    await page.waitForSelector('[data-testid="node-6"][data-class="CLIPTextEncode"]');
    await page.context().close();
  });

  it('inside, its inputs and outputs are renamed and reordered without rewiring', async () => {
    const page = await openEditor();
    await selectPrompts(page);
    await page.keyboard.press('Control+Shift+E');
    await expect.poll(() => page.locator('[data-testid="node-16"]').count()).toBe(1);
    expect(await page.locator('.react-flow__edge[data-id="16:out-0->3:positive"]').count()).toBe(1);
    await header(page, '16').dblclick();
    await page.waitForSelector('[data-testid="subgraph-slots"]');
    // The negative prompt's output first.
    await page.locator('[data-testid="subgraph-outputs"] li').nth(1).getByRole('button', { name: 'Move up' }).click();
    await expect.poll(() => handles(page, '-20', 'target')).toEqual(['CONDITIONING_1', 'CONDITIONING']);
    const name = page.locator('[data-testid="subgraph-inputs"] li input').first();
    await name.click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('text encoder');
    await page.keyboard.press('Enter');
    await expect.poll(() => handles(page, '-10', 'source')).toEqual(['out-0']);
    await expect.poll(() => page.locator('[data-testid="node--10"]').textContent()).toContain('text encoder');
    await screenshot(page, 's-slots');
    await page.locator('[data-testid="subgraph-breadcrumb-root"]').click();
    await page.waitForSelector('[data-testid="node-3"][data-class="KSampler"]');
    expect(await handles(page, '16', 'target')).toEqual(['text encoder']);
    // The sampler's positive still comes from the positive prompt, now the subgraph's second output.
    expect(await page.locator('.react-flow__edge[data-id="16:out-1->3:positive"]').count()).toBe(1);
    expect(await page.locator('.react-flow__edge[data-id="4:out-1->16:text encoder"]').count()).toBe(1);
    // One undo step each, shown where they were made: two undos give the first names and order back, inside.
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await page.waitForSelector('[data-testid="subgraph-breadcrumb"]');
    await expect.poll(() => handles(page, '-20', 'target')).toEqual(['CONDITIONING', 'CONDITIONING_1']);
    await expect.poll(() => page.locator('[data-testid="node--10"]').textContent()).toContain('clip');
    await page.locator('[data-testid="subgraph-breadcrumb-root"]').click();
    await expect.poll(() => page.locator('.react-flow__edge[data-id="16:out-0->3:positive"]').count()).toBe(1);
    await page.context().close();
  });

  it("opens a ComfyUI workflow's subgraph (definitions.subgraphs) as a subgraph node, to open and edit", async () => {
    const page = await openEditor();
    const file = resolve(import.meta.dirname, '..', 'fixtures', 'comfy-subgraphs', 'subgraph-with-preview-node.json');
    await page.locator('input[type="file"]').setInputFiles(file);
    await page.waitForSelector('[data-testid="node-5"][data-class="a1b2c3d4-e5f6-7890-abcd-ef1234567890"]');
    expect(await handles(page, '5', 'target')).toEqual(['images']);
    expect(await page.locator('.react-flow__edge[data-id="11:out-0->5:images"]').count()).toBe(1);
    await header(page, '5').dblclick();
    await page.waitForSelector('[data-testid="node-10"][data-class="SaveImage"]');
    expect(await page.locator('.react-flow__edge[data-id="-10:out-0->10:images"]').count()).toBe(1);
    await screenshot(page, 's-comfy-subgraph');
    await page.context().close();
  });

  it('converts from the node menu, as one undo step', async () => {
    const page = await openEditor();
    const before = await edges(page);
    await selectPrompts(page);
    await header(page, '7').click({ button: 'right' });
    await page.locator('[data-testid="node-menu-convert-subgraph"]').click();
    await expect.poll(() => page.locator('[data-testid="node-16"]').count()).toBe(1);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('[data-testid="node-6"]').count()).toBe(1);
    expect(await page.locator('[data-testid="node-16"]').count()).toBe(0);
    expect(await edges(page)).toBe(before);
    await page.context().close();
  });
});

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../media/decode-image.js';
import { readPngText } from '../../media/png.js';
import { CLIENT_DIR, dragWire, hasChromium, launchBrowser, screenshot } from '../helpers/browser.js';
import { showWholeGraph } from '../helpers/editor-session.js';
import { startTestServer, TestSocket, type TestServer } from '../helpers/server.js';
import { toLitegraph } from '../../shared/litegraph-export.js';
import type { ObjectInfo } from '../../shared/node-spec.js';
import type { WorkflowEnvelope } from '../../shared/workflow.js';

/** The editor in real headless Chromium against a real server and the shipped model. */

const root = resolve(import.meta.dirname, '..', '..');
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (!hasChromium) return;
  server = await startTestServer({ clientDir: CLIENT_DIR, modelsDir: join(root, 'models') });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openEditor(options: { locale?: string; fresh?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1500, height: 950 },
    locale: options.locale ?? 'en-US',
  });
  const page = await context.newPage();
  await page.goto(server.url);
  if (options.fresh) {
    await page.evaluate(() => localStorage.clear());
    await page.reload();
  }
  await page.waitForSelector('.react-flow__pane');
  return page;
}

const handle = (nodeId: string, handleId: string) =>
  `[data-testid="node-${nodeId}"] .react-flow__handle[data-handleid="${handleId}"]`;

async function addNodeBySearch(page: Page, x: number, y: number, query: string): Promise<void> {
  await page.mouse.dblclick(x, y);
  await page.waitForSelector('[data-testid="node-search"] input');
  await page.keyboard.type(query);
  await page.keyboard.press('Enter');
}

describe.skipIf(!hasChromium)('the editor in Chromium', () => {
  it('opens on the default workflow the first time', async () => {
    const page = await openEditor({ fresh: true });
    await page.waitForSelector('[data-testid="node-3"][data-class="KSampler"]');
    expect(await page.locator('[data-class="SaveImage"]').count()).toBe(1);
    await screenshot(page, '01-default-workflow');
    // ? lists the shortcuts, one line per keymap entry.
    await page.keyboard.press('?');
    const shortcuts = page.locator('[role="dialog"] li');
    await expect.poll(() => shortcuts.count()).toBe(22);
    expect(await shortcuts.allTextContents()).toContain('Ctrl+Shift+Z / Ctrl+Y redo');
    await screenshot(page, '01b-shortcuts');
    await page.context().close();
  });

  it('builds the text-to-image graph from an empty canvas by mouse and keyboard, runs it and shows step previews and the image', async () => {
    const page = await openEditor({ fresh: true });
    await page.waitForSelector('[data-testid="node-3"]');
    // Start from an empty canvas: select everything and delete it.
    await page.locator('.react-flow__pane').click({ position: { x: 50, y: 50 } });
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 0);

    await addNodeBySearch(page, 380, 300, 'load checkpoint');
    await addNodeBySearch(page, 700, 180, 'clip text encode');
    await addNodeBySearch(page, 700, 480, 'clip text encode');
    await addNodeBySearch(page, 700, 760, 'empty latent');
    await addNodeBySearch(page, 1050, 300, 'ksampler');
    await page.waitForSelector('[data-testid="node-5"]');
    // Wires: checkpoint → encoders, model → sampler, conditionings and latent → sampler.
    await dragWire(page, handle('1', 'out-1'), handle('2', 'clip'));
    await dragWire(page, handle('1', 'out-1'), handle('3', 'clip'));
    await dragWire(page, handle('1', 'out-0'), handle('5', 'model'));
    await dragWire(page, handle('2', 'out-0'), handle('5', 'positive'));
    await dragWire(page, handle('3', 'out-0'), handle('5', 'negative'));
    await dragWire(page, handle('4', 'out-0'), handle('5', 'latent_image'));
    // Drag from the sampler's output to empty space: the picker offers only nodes that take a LATENT.
    const samplerOut = await page.locator(handle('5', 'out-0')).boundingBox();
    await page.mouse.move(samplerOut!.x + samplerOut!.width / 2, samplerOut!.y + samplerOut!.height / 2);
    await page.mouse.down();
    await page.mouse.move(1300, 650, { steps: 8 });
    await page.mouse.up();
    await screenshot(page, '02a-wire-dropped');
    await page.waitForSelector('[data-testid="node-search"] input', { timeout: 5000 });
    await page.keyboard.type('vae decode');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="node-6"][data-class="VAEDecode"]');
    await dragWire(page, handle('1', 'out-2'), handle('6', 'vae'));
    const decodeOut = await page.locator(handle('6', 'out-0')).boundingBox();
    await page.mouse.move(decodeOut!.x + decodeOut!.width / 2, decodeOut!.y + decodeOut!.height / 2);
    await page.mouse.down();
    await page.mouse.move(1400, 400, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.type('save image');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="node-7"][data-class="SaveImage"]');

    // Keyboard only: with the VAE Decode node selected, A offers nodes that take an IMAGE; Enter adds one, connected.
    await page.locator('[data-testid="node-6"] .node-header').click();
    await page.keyboard.press('a');
    await page.waitForSelector('[data-testid="node-search"] input');
    await page.keyboard.type('invert');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="node-8"][data-class="ImageInvert"]');
    // The view panned to show where the new node went; fitting it all draws every wire again.
    await showWholeGraph(page, '1');
    expect(await page.locator('.react-flow__edge').count()).toBe(10);
    await page.locator('[data-testid="node-8"] .node-header').click();
    await page.keyboard.press('Delete');
    await page.waitForFunction(() => !document.querySelector('[data-testid="node-8"]'));

    // A refused drop says why.
    await dragWire(page, handle('4', 'out-0'), handle('2', 'clip'));
    await expect
      .poll(() => page.locator('[data-testid="toast"]').last().textContent())
      .toContain('LATENT cannot go into CLIP');

    // Prompt text, many steps so the previews have time to show, and a fixed seed.
    await page.locator('[data-testid="node-2"] textarea').fill('a small rocket on the left, blue background');
    await page.locator('#w-4-width').fill('64');
    await page.locator('#w-4-height').fill('64');
    await page.locator('#w-5-steps').fill('300');
    await page.locator('[data-testid="node-5"] select.seed-control').selectOption('fixed');
    await screenshot(page, '02-built-graph');
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector('[data-testid="preview-5"]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid="progress-5"]');
    await screenshot(page, '03-step-preview');
    await page.waitForSelector('[data-testid="output-7"]', { timeout: 60_000 });
    await screenshot(page, '04-final-image');
    expect(await page.locator('[data-testid="status-5"]').textContent()).toContain('done');
    const src = await page.locator('[data-testid="output-7"]').first().getAttribute('src');
    const image = await (await fetch(`${server.url}${src}`)).arrayBuffer();
    const decoded = decodeImage(new Uint8Array(image));
    expect(decoded.ok && [decoded.value.raster.width, decoded.value.raster.height]).toEqual([64, 64]);
    await page.context().close();
  });

  it('saves to the library, survives a reload, and opens from the library', async () => {
    const page = await openEditor({ fresh: true });
    await page.waitForSelector('[data-testid="node-3"]');
    await page.locator('[data-testid="node-6"] textarea').fill('a large cat in the center, red background');
    await page.locator('[data-testid="workflow-name"]').fill('my cats');
    await page.locator('[data-testid="save"]').click();
    await expect.poll(() => page.locator('[data-testid="toast"]').last().textContent()).toContain('my cats');
    await page.reload();
    await page.waitForSelector('[data-testid="node-6"] textarea');
    expect(await page.locator('[data-testid="node-6"] textarea').inputValue()).toBe(
      'a large cat in the center, red background',
    );
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.locator('[data-testid="tab-library"]').click();
    await page.locator('[data-testid="library-my cats"]').click();
    await expect
      .poll(() => page.locator('[data-testid="node-6"] textarea').inputValue())
      .toBe('a large cat in the center, red background');
    await screenshot(page, '05-library');
    await page.context().close();
  });

  it('drops a PNG made by Inkgraph and gets its workflow back', async () => {
    // Make a PNG through the server with a recognisable prompt.
    const prompt = JSON.parse(readFileSync(join(root, 'workflows', 'text-to-image.json'), 'utf8')) as {
      prompt: Record<string, { inputs: Record<string, unknown> }>;
    };
    prompt.prompt['6']!.inputs.text = 'a small heart at the top right, green background';
    prompt.prompt['3']!.inputs.steps = 2;
    const socket = await TestSocket.open(server.url, 'png-maker');
    const queued = await fetch(`${server.url}/prompt`, {
      method: 'POST',
      body: JSON.stringify({
        prompt: prompt.prompt,
        client_id: socket.clientId,
        extra_data: { extra_pnginfo: { inkgraph: prompt } },
      }),
    });
    const { prompt_id: promptId } = (await queued.json()) as { prompt_id: string };
    await socket.waitForEnd(promptId);
    socket.close();
    const history = (await (await fetch(`${server.url}/history/${promptId}`)).json()) as Record<
      string,
      { outputs: Record<string, { images?: { filename: string; subfolder: string }[] }> }
    >;
    const file = history[promptId]?.outputs['9']?.images?.[0];
    const png = readFileSync(join(server.dirs.outputDir, file!.subfolder, file!.filename));
    const embedded = JSON.parse(readPngText(png).inkgraph!) as {
      prompt: Record<string, { inputs: { text?: unknown } }>;
    };
    expect(embedded.prompt['6']?.inputs.text).toContain('small heart');
    const page = await openEditor({ fresh: true });
    await page.waitForSelector('[data-testid="node-3"]');
    await page.evaluate(
      ({ bytes }) => {
        const file = new File([new Uint8Array(bytes)], 'made-by-inkgraph.png', { type: 'image/png' });
        const transfer = new DataTransfer();
        transfer.items.add(file);
        document
          .querySelector('[data-testid="canvas"]')!
          .dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      },
      { bytes: [...png] },
    );
    await expect
      .poll(() => page.locator('[data-testid="node-6"] textarea').inputValue())
      .toBe('a small heart at the top right, green background');
    await screenshot(page, '06-png-dropped');
    await page.context().close();
  });

  it('opens a UI-format workflow with a node type the server lacks as a missing node, saves it back unchanged and will not queue it', async () => {
    const fancy = {
      id: 2,
      type: 'FancyUpscale',
      title: 'My upscaler',
      pos: [420, 40],
      size: [315, 130],
      flags: {},
      order: 1,
      mode: 0,
      inputs: [{ name: 'image', type: 'IMAGE', link: 1 }],
      outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [2], slot_index: 0 }],
      properties: { 'Node name for S&R': 'FancyUpscale', cnr_id: 'fancy-pack' },
      widgets_values: ['4x-ultra.pth', 2.5],
    };
    const workflow = {
      last_node_id: 3,
      last_link_id: 2,
      nodes: [
        {
          id: 1,
          type: 'EmptyImage',
          pos: [0, 0],
          size: [315, 130],
          mode: 0,
          outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [1] }],
          widgets_values: [64, 64, 1, 0xff8000],
        },
        fancy,
        {
          id: 3,
          type: 'SaveImage',
          pos: [840, 0],
          size: [315, 270],
          mode: 0,
          inputs: [{ name: 'images', type: 'IMAGE', link: 2 }],
          widgets_values: ['fancy'],
        },
      ],
      links: [
        [1, 1, 0, 2, 0, 'IMAGE'],
        [2, 2, 0, 3, 0, 'IMAGE'],
      ],
      groups: [],
      version: 0.4,
    };
    const page = await openEditor({ fresh: true });
    await page.waitForSelector('[data-testid="node-3"]');
    await page.evaluate(
      ({ text }) => {
        const file = new File([text], 'fancy.json', { type: 'application/json' });
        const transfer = new DataTransfer();
        transfer.items.add(file);
        document
          .querySelector('[data-testid="canvas"]')!
          .dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      },
      { text: JSON.stringify(workflow) },
    );
    await expect.poll(() => page.locator('[data-testid="missing-2"]').textContent()).toBe('missing: FancyUpscale');
    expect(await page.locator('[data-testid="node-2"][data-missing="true"]').count()).toBe(1);
    // Both of its wires are drawn: into its image socket and out of its output.
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);
    // EmptyImage's color (display "color") is a colour picker showing 0xFF8000.
    expect(await page.locator('#w-1-color').getAttribute('type')).toBe('color');
    expect(await page.locator('#w-1-color').inputValue()).toBe('#ff8000');
    await screenshot(page, '07b-missing-node');

    await page.locator('[data-testid="run"]').click();
    await expect
      .poll(() => page.locator('[data-testid="toast"]').last().textContent())
      .toContain('#2 My upscaler (FancyUpscale)');
    const queue = (await (await fetch(`${server.url}/queue`)).json()) as { queue_pending: unknown[] };
    expect(queue.queue_pending).toEqual([]);

    // Saved, the document keeps the node; written in ComfyUI's format it is the node that came in.
    await page.locator('[data-testid="workflow-name"]').fill('fancy kept');
    await page.locator('[data-testid="save"]').click();
    await expect.poll(() => page.locator('[data-testid="toast"]').last().textContent()).toContain('fancy kept');
    const saved = (await (await fetch(`${server.url}/workflows/fancy%20kept`)).json()) as WorkflowEnvelope;
    const objectInfo = (await (await fetch(`${server.url}/object_info`)).json()) as ObjectInfo;
    const back = (toLitegraph(saved, objectInfo) as { nodes: Record<string, unknown>[] }).nodes.find(
      (node) => node.id === 2,
    )!;
    expect(back).toMatchObject({
      type: 'FancyUpscale',
      title: 'My upscaler',
      pos: [420, 40],
      size: [315, 130],
      properties: fancy.properties,
      widgets_values: fancy.widgets_values,
      outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [expect.any(Number)] }],
    });
    await page.context().close();
  });

  it("shows the server's validation errors on the node and field they name, and reloads a past run from history", async () => {
    const page = await openEditor({ fresh: true });
    await page.waitForSelector('[data-testid="node-3"]');
    // The steps widget clamps what is typed to its minimum, as ComfyUI's does, so the bad value comes in a saved
    // document (as in a hand-edited or foreign workflow file) and only the server refuses it.
    await page.waitForFunction(() => localStorage.getItem('inkgraph.document') !== null);
    // Edited before the app starts: leaving a page saves its graph over the stored one.
    await page.context().addInitScript(() => {
      const raw = localStorage.getItem('inkgraph.document');
      if (!raw || sessionStorage.getItem('steps-zeroed')) return;
      const saved = JSON.parse(raw) as { document: { prompt: Record<string, { inputs: Record<string, unknown> }> } };
      saved.document.prompt['3']!.inputs.steps = 0;
      localStorage.setItem('inkgraph.document', JSON.stringify(saved));
      sessionStorage.setItem('steps-zeroed', '1');
    });
    await page.reload();
    await expect.poll(() => page.locator('#w-3-steps').inputValue()).toBe('0');
    await showWholeGraph(page, '15');
    await page.locator('[data-testid="run"]').click();
    await page.waitForSelector('[data-testid="node-3"].invalid');
    expect(await page.locator('[data-testid="node-3"] .widget.has-error label').textContent()).toBe('steps');
    expect(await page.locator('[data-testid="node-3"] .field-error').first().textContent()).toContain(
      'smaller than min',
    );
    await screenshot(page, '08-validation-error');
    // Fix it, run, change the prompt, then reload the run's workflow from history.
    await page.locator('#w-3-steps').fill('3');
    await page.locator('[data-testid="node-6"] textarea').fill('a small star at the bottom, purple background');
    await page.locator('[data-testid="run"]').click();
    await page.waitForSelector('[data-testid="output-9"]', { timeout: 30_000 });
    expect(await page.locator('[data-testid="node-3"].invalid').count()).toBe(0);
    // The default workflow also classifies, segments and describes what it made, on its nodes.
    await page.waitForSelector('[data-testid="labels-11"] li');
    await page.waitForSelector('[data-testid="output-14"]');
    expect(await page.locator('[data-testid="text-15"]').textContent()).toMatch(/\(\d+%\)/);
    await screenshot(page, '09-classified-segmented');
    await page.locator('[data-testid="node-6"] textarea').fill('something else');
    await page.locator('[data-testid="tab-history"]').click();
    await page.locator('[data-testid="history-panel"] [data-testid="history-reload"]').first().click();
    await expect
      .poll(() => page.locator('[data-testid="node-6"] textarea').inputValue())
      .toBe('a small star at the bottom, purple background');
    await page.context().close();
  });

  it("offers the words the embedded model knows under its prompt, in the editor's language", async () => {
    const page = await openEditor({ fresh: true });
    await page.waitForSelector('[data-testid="vocabulary-6"]');
    const before = await page.locator('[data-testid="node-6"] textarea').inputValue();
    await page.locator('[data-testid="vocabulary-6"] summary').click();
    await page.locator('[data-testid="vocabulary-6"] button', { hasText: 'apple' }).first().click();
    await page.locator('[data-testid="vocabulary-6"] button', { hasText: /^blue$/ }).click();
    await expect
      .poll(() => page.locator('[data-testid="node-6"] textarea').inputValue())
      .toBe(`${before}, apple, blue background`);
    await screenshot(page, '11-vocabulary');
    await page.locator('[data-testid="language"]').selectOption('zh-CN');
    await page.locator('[data-testid="vocabulary-6"] button', { hasText: /^蓝色$/ }).click();
    await expect
      .poll(() => page.locator('[data-testid="node-6"] textarea').inputValue())
      .toBe(`${before}, apple, blue background，蓝色背景`);
    await page.context().close();
  });

  it("names the prompt words the embedded model was not trained on, as they are typed, in the editor's language", async () => {
    const page = await openEditor({ fresh: true });
    const prompt = page.locator('[data-testid="node-6"] textarea');
    const warning = page.locator('[data-testid="unknown-words-6"]');
    // Typed as a person types: select all, delete, then key by key.
    const retype = async (text: string): Promise<void> => {
      await prompt.click();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.press('Delete');
      await page.keyboard.type(text);
    };
    await page.waitForSelector('[data-testid="vocabulary-6"]');
    // The default prompt is the model's own phrasing: nothing to name.
    expect(await warning.count()).toBe(0);
    await retype('a tiny cat, upper left');
    await expect.poll(() => warning.textContent()).toBe('Unknown to inkgraph-emoji, so ignored: tiny, upper');
    await screenshot(page, '11b-unknown-words');
    await page.locator('[data-testid="language"]').selectOption('zh-CN');
    await retype('蓝色背景，一个很大的苹果');
    await expect.poll(() => warning.textContent()).toBe('inkgraph-emoji 不认识、会忽略的词：很、苹果');
    await screenshot(page, '11c-unknown-words-zh');
    // Said the model's way, the warning goes.
    await retype('蓝色背景，一个大红苹果');
    await expect.poll(() => warning.count()).toBe(0);
    await page.context().close();
  });

  it('pauses the queue from the queue panel: a run waits as pending, and runs on resume', async () => {
    const page = await openEditor({ fresh: true });
    await page.waitForSelector('[data-testid="node-3"]');
    await page.locator('[data-testid="tab-queue"]').click();
    await page.locator('[data-testid="queue-pause"]').click();
    await expect
      .poll(async () => ((await (await fetch(`${server.url}/queue`)).json()) as { paused: boolean }).paused)
      .toBe(true);
    await page.waitForSelector('.queue-panel .queue-paused');
    await page.locator('#w-3-steps').fill('2');
    await page.locator('[data-testid="run"]').click();
    await expect.poll(() => page.locator('[data-testid="queue-panel"] ul').nth(1).locator('li').count()).toBe(1);
    expect(await page.locator('[data-testid="output-9"]').count()).toBe(0);
    await screenshot(page, '10-queue-paused');
    await page.locator('[data-testid="queue-pause"]').click();
    await page.waitForSelector('[data-testid="output-9"]', { timeout: 30_000 });
    expect(((await (await fetch(`${server.url}/queue`)).json()) as { paused: boolean }).paused).toBe(false);
    await page.context().close();
  });

  it('switches the language to Simplified Chinese, and follows a Chinese browser', async () => {
    const page = await openEditor({ fresh: true });
    await page.locator('[data-testid="language"]').selectOption('zh-CN');
    await expect.poll(() => page.locator('[data-testid="run"]').textContent()).toContain('运行');
    expect(await page.locator('[data-testid="node-3"] .node-title').textContent()).toBe('K 采样器');
    await screenshot(page, '07-chinese');
    await page.context().close();
    const chinese = await openEditor({ locale: 'zh-CN', fresh: true });
    await expect.poll(() => chinese.locator('[data-testid="run"]').textContent()).toContain('运行');
    await chinese.keyboard.press('?');
    await expect.poll(() => chinese.locator('[role="dialog"] li').allTextContents()).toContain('? 本列表');
    await chinese.context().close();
  });
});

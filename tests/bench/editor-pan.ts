/**
 * Editor benchmark: the production bundle size (gzip) and the frame time while panning a 500-node graph in
 * headless Chromium (software rendering, 2 cores). Run: npm run bench:editor (after npm run build:client)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CLIENT_DIR, launchBrowser } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';

const assets = join(CLIENT_DIR, 'assets');
let gzip = 0;
let raw = 0;
for (const file of readdirSync(assets)) {
  const bytes = readFileSync(join(assets, file));
  raw += bytes.length;
  gzip += gzipSync(bytes, { level: 9 }).length;
}

// 500 nodes: 100 chains of LoadImage → ImageScale → ImageInvert → ImageInvert → PreviewImage, on a grid.
const prompt: Record<string, unknown> = {};
let id = 1;
for (let chain = 0; chain < 100; chain++) {
  const row = Math.floor(chain / 4);
  const column = (chain % 4) * 5;
  const ids = [id, id + 1, id + 2, id + 3, id + 4].map(String);
  const pos = (k: number): [number, number] => [(column + k) * 320, row * 260];
  prompt[ids[0]!] = {
    class_type: 'LoadImage',
    inputs: { image: 'example.png' },
    _meta: { title: 'Load Image', pos: pos(0) },
  };
  prompt[ids[1]!] = {
    class_type: 'ImageScale',
    inputs: { image: [ids[0], 0], upscale_method: 'bilinear', width: 64, height: 64, crop: 'disabled' },
    _meta: { title: 'Scale', pos: pos(1) },
  };
  prompt[ids[2]!] = {
    class_type: 'ImageInvert',
    inputs: { image: [ids[1], 0] },
    _meta: { title: 'Invert', pos: pos(2) },
  };
  prompt[ids[3]!] = {
    class_type: 'ImageInvert',
    inputs: { image: [ids[2], 0] },
    _meta: { title: 'Invert', pos: pos(3) },
  };
  prompt[ids[4]!] = {
    class_type: 'PreviewImage',
    inputs: { images: [ids[3], 0] },
    _meta: { title: 'Preview', pos: pos(4) },
  };
  id += 5;
}

const server = await startTestServer({ clientDir: CLIENT_DIR });
const file = join(server.dirs.root, 'five-hundred.json');
writeFileSync(file, JSON.stringify({ format: 'inkgraph-workflow', version: 1, prompt, groups: [], reroutes: [] }));
const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
await page.goto(server.url);
await page.waitForSelector('.react-flow__pane');
await page.locator('[data-testid="upload-input"]').setInputFiles(file);
await page.waitForFunction(() => document.querySelectorAll('[data-testid^="node-"]').length > 0);
// Zoom out so that many nodes are on screen, then pan with the middle button while recording frame times.
await page.mouse.move(800, 500);
for (let i = 0; i < 6; i++) await page.mouse.wheel(0, 300);
await page.waitForTimeout(500);
const visible = await page.locator('.react-flow__node').count();
// A string, not a function: tsx would wrap named functions in a helper the page does not have.
await page.evaluate(`(() => {
  window.frames = [];
  window.recording = true;
  let last = performance.now();
  const tick = (now) => {
    window.frames.push(now - last);
    last = now;
    if (window.recording) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`);
// Where the main thread's time goes while panning (Chromium's own counters, in seconds).
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
const metrics = async (): Promise<Map<string, number>> =>
  new Map((await cdp.send('Performance.getMetrics')).metrics.map((metric) => [metric.name, metric.value]));
const before = await metrics();
for (let round = 0; round < 4; round++) {
  await page.mouse.move(800, 500);
  await page.mouse.down({ button: 'middle' });
  await page.mouse.move(400 + round * 50, 300, { steps: 40 });
  await page.mouse.move(800, 500, { steps: 40 });
  await page.mouse.up({ button: 'middle' });
}
const frames = await page.evaluate<number[]>('(() => { window.recording = false; return window.frames.slice(5); })()');
const after = await metrics();
const spent = (name: string): string => `${(((after.get(name) ?? 0) - (before.get(name) ?? 0)) * 1000).toFixed(0)} ms`;
await browser.close();
await server.stop();
const sorted = [...frames].sort((a, b) => a - b);
const pick = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
console.log(`Editor bundle: ${(raw / 1024).toFixed(0)} KiB, ${(gzip / 1024).toFixed(0)} KiB gzip (${assets})`);
console.log(
  `Panning 500 nodes (${visible} rendered after zooming out), ${frames.length} frames: median ${pick(0.5).toFixed(1)} ms, p95 ${pick(0.95).toFixed(1)} ms`,
);
// rAF runs at the display's 60 Hz, so a median of 16.7 ms is every frame drawn; the work per frame says how much room
// is left under it.
const perFrame = (((after.get('TaskDuration') ?? 0) - (before.get('TaskDuration') ?? 0)) * 1000) / frames.length;
console.log(`Main-thread work per frame: ${perFrame.toFixed(1)} ms`);
console.log(
  `Main thread while panning: tasks ${spent('TaskDuration')}, script ${spent('ScriptDuration')}, style ${spent('RecalcStyleDuration')}, layout ${spent('LayoutDuration')}`,
);

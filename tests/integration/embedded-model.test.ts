import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../nodes/runtime/png.js';
import type { HistoryEntry } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { borderColour, foregroundColumn } from '../helpers/scene-checks.js';
import { getJson, postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';

/**
 * Smoke test of the shipped model: generate from fixed seeds with the default workflow and check, without the
 * generator, that backgrounds and positions follow the prompts. Thresholds are the model's committed figures
 * (deterministic: same seeds, same pixels), so a regression in the engine or the model shows here.
 */

const root = resolve(import.meta.dirname, '..', '..');
const shipped = join(root, 'models', 'diffusion', 'inkgraph-emoji', 'model_index.json');

const CASES: { text: string; background: string; column: 'left' | 'center' | 'right' }[] = [
  { text: 'a large apple on the left on a blue background', background: 'blue', column: 'left' },
  { text: 'a large rocket on the right on a yellow background', background: 'yellow', column: 'right' },
  { text: 'a large sun in the center on a purple background', background: 'purple', column: 'center' },
  { text: 'a large cat on the left on a green background', background: 'green', column: 'left' },
  { text: '红色背景上右边的大汽车', background: 'red', column: 'right' },
  { text: '白色背景上左边的大红心', background: 'white', column: 'left' },
  { text: '黑色背景上中间的大星星', background: 'black', column: 'center' },
  { text: '橙色背景上右边的大云', background: 'orange', column: 'right' },
];
const SEEDS = [1, 2];
/**
 * Passing counts the committed model reaches (of CASES × SEEDS), one below what it scored here (16 and 7), to allow for
 * floating-point differences between CPUs. Position control is still weak (28.5–29.5% on the held-out set, see the model
 * card); raise these as the model improves.
 */
const EXPECTED = { background: 15, position: 6 };

let server: TestServer;
let socket: TestSocket;

beforeAll(async () => {
  if (!existsSync(shipped)) return;
  server = await startTestServer({ modelsDir: join(root, 'models') });
  socket = await TestSocket.open(server.url, 'smoke');
});
afterAll(async () => {
  socket?.close();
  await server?.stop();
});

describe.skipIf(!existsSync(shipped))('the shipped model', () => {
  it('draws the backgrounds and positions its prompts ask for, from fixed seeds', async () => {
    const workflow = JSON.parse(readFileSync(join(root, 'workflows', 'text-to-image.json'), 'utf8')) as { prompt: ApiPrompt };
    let backgrounds = 0;
    let positions = 0;
    const results: string[] = [];
    for (const testCase of CASES) {
      for (const seed of SEEDS) {
        const prompt = structuredClone(workflow.prompt);
        prompt['6']!.inputs.text = testCase.text;
        prompt['3']!.inputs.seed = seed;
        const response = await postJson(`${server.url}/prompt`, { prompt, client_id: 'smoke' });
        const promptId = (response.json as { prompt_id: string }).prompt_id;
        await socket.waitForEnd(promptId);
        const entry = ((await getJson(`${server.url}/history/${promptId}`)).json as Record<string, HistoryEntry>)[promptId]!;
        const image = entry.outputs['9']!.images![0]!;
        const decoded = decodeImage(readFileSync(join(server.dirs.outputDir, image.subfolder, image.filename)));
        if (!decoded.ok) throw new Error(decoded.reason);
        expect([decoded.raster.width, decoded.raster.height]).toEqual([64, 64]);
        const background = borderColour(decoded.raster).name;
        const column = foregroundColumn(decoded.raster);
        backgrounds += background === testCase.background ? 1 : 0;
        positions += column === testCase.column ? 1 : 0;
        results.push(`${testCase.text} (seed ${seed}): ${background}, ${column ?? 'no object'}`);
      }
    }
    console.log(`background ${backgrounds}/${CASES.length * SEEDS.length}, position ${positions}/${CASES.length * SEEDS.length}\n${results.join('\n')}`);
    expect(backgrounds).toBeGreaterThanOrEqual(EXPECTED.background);
    expect(positions).toBeGreaterThanOrEqual(EXPECTED.position);
  });
});

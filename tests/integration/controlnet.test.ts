import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../media/decode-image.js';
import { encodePng } from '../../media/png.js';
import { objectInfoSchema } from '../../shared/node-spec.js';
import type { WsMessage } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { referenceUnet, residualUnet, tinyControlNet } from '../fixtures/controlnet-fixture-graphs.js';
import { FIXTURE_MODELS, textToImage } from '../helpers/diffusion.js';
import { getJson, postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';
import { runToHistory, savedImages } from '../helpers/workflow-run.js';

/**
 * ControlNetLoader, ControlNetApply and ControlNetApplyAdvanced through the server. The reference is a UNet with the
 * same ControlNet and hint built into its graph at a strength: sampling it must give the pixels of sampling the
 * residual-input UNet with the ControlNet applied each step, on both sides of CFG.
 */

const SIZE = 64;
let server: TestServer;
let socket: TestSocket;

/** The hint: a bright disc on the left on black, as a mask drawn in the graph would be. */
function hintPng(): Buffer {
  const data = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const inside = (x - 20) ** 2 + (y - 32) ** 2 < 14 ** 2;
      data.set(inside ? [255, 230, 200] : [0, 10, 30], (y * SIZE + x) * 3);
    }
  return encodePng({ width: SIZE, height: SIZE, channels: 3, data });
}

/** The hint as LoadImage gives it to the ControlNet: planar RGB in 0…1. */
function hintPlanar(png: Buffer): Float32Array {
  const decoded = decodeImage(png);
  if (!decoded.ok) throw new Error(decoded.reason);
  const { data, channels } = decoded.value.raster;
  const plane = SIZE * SIZE;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) out[c * plane + p] = data[p * channels + c]! / 255;
  return out;
}

function pipelineWith(name: string, unet: Uint8Array): void {
  const dir = join(server.dirs.modelsDir, 'diffusion', name);
  cpSync(join(FIXTURE_MODELS, 'diffusion', 'tiny-sd-fp32'), dir, { recursive: true });
  writeFileSync(join(dir, 'unet', 'model.onnx'), unet);
}

beforeAll(async () => {
  server = await startTestServer();
  mkdirSync(join(server.dirs.modelsDir, 'diffusion'), { recursive: true });
  cpSync(join(FIXTURE_MODELS, 'diffusion', 'tiny-sd-fp32'), join(server.dirs.modelsDir, 'diffusion', 'tiny-sd-fp32'), {
    recursive: true,
  });
  const png = hintPng();
  writeFileSync(join(server.dirs.inputDir, 'hint.png'), png);
  const hint = hintPlanar(png);
  pipelineWith('tiny-control', residualUnet());
  for (const strength of [0.7, 1.2])
    pipelineWith(`tiny-control-ref-${strength}`, referenceUnet(hint, SIZE, SIZE, strength));
  mkdirSync(join(server.dirs.modelsDir, 'controlnet'), { recursive: true });
  writeFileSync(join(server.dirs.modelsDir, 'controlnet', 'tiny-mask.onnx'), tinyControlNet());
  writeFileSync(join(server.dirs.modelsDir, 'controlnet', 'not-a-controlnet.onnx'), residualUnet());
  socket = await TestSocket.open(server.url, 'controlnet-test');
});

afterAll(async () => {
  socket?.close();
  await server?.stop();
});

const base = (ckpt: string): ApiPrompt =>
  textToImage({ ckpt, seed: 11, steps: 6, cfg: 4, size: SIZE, positive: 'a red cat' });

/** The default graph with ControlNets applied between the prompts and the sampler. */
function controlled(
  applications: readonly { strength: number; start?: number; end?: number; old?: boolean }[],
  ckpt = 'tiny-control',
  net = 'tiny-mask.onnx',
): ApiPrompt {
  const prompt = base(ckpt);
  prompt['20'] = { class_type: 'ControlNetLoader', inputs: { control_net_name: net } };
  prompt['21'] = { class_type: 'LoadImage', inputs: { image: 'hint.png' } };
  let positive: [string, number] = ['6', 0];
  let negative: [string, number] = ['7', 0];
  applications.forEach((application, i) => {
    const id = String(30 + i);
    if (application.old) {
      prompt[id] = {
        class_type: 'ControlNetApply',
        inputs: { conditioning: positive, control_net: ['20', 0], image: ['21', 0], strength: application.strength },
      };
      positive = [id, 0];
    } else {
      prompt[id] = {
        class_type: 'ControlNetApplyAdvanced',
        inputs: {
          positive,
          negative,
          control_net: ['20', 0],
          image: ['21', 0],
          strength: application.strength,
          start_percent: application.start ?? 0,
          end_percent: application.end ?? 1,
        },
      };
      positive = [id, 0];
      negative = [id, 1];
    }
  });
  prompt['3']!.inputs.positive = positive;
  prompt['3']!.inputs.negative = negative;
  return prompt;
}

async function imageOf(prompt: ApiPrompt): Promise<Uint8Array> {
  return savedImages(server, await runToHistory(server, socket, prompt), '9')[0]!.data;
}

function maxLevelDifference(a: Uint8Array, b: Uint8Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

async function errorOf(prompt: ApiPrompt): Promise<Extract<WsMessage, { type: 'execution_error' }> | undefined> {
  const response = await postJson(`${server.url}/prompt`, { prompt, client_id: socket.clientId });
  const messages = await socket.waitForEnd((response.json as { prompt_id: string }).prompt_id);
  return messages.find((m): m is Extract<WsMessage, { type: 'execution_error' }> => m.type === 'execution_error');
}

describe('ControlNet', () => {
  it('is in /object_info as ComfyUI defines it', async () => {
    const info = objectInfoSchema.parse((await getJson(`${server.url}/object_info`)).json);
    expect(Object.keys(info.ControlNetApplyAdvanced!.input.required ?? {})).toEqual([
      'positive',
      'negative',
      'control_net',
      'image',
      'strength',
      'start_percent',
      'end_percent',
    ]);
    expect(info.ControlNetApplyAdvanced!.output_name).toEqual(['positive', 'negative']);
    expect(info.ControlNetApply!.deprecated).toBe(true);
    expect(info.ControlNetApplyAdvanced!.deprecated).toBeUndefined();
    expect(Object.keys(info.ControlNetApply!.input.required ?? {})).toEqual([
      'conditioning',
      'control_net',
      'image',
      'strength',
    ]);
    expect((await getJson(`${server.url}/models/controlnet`)).json).toEqual([
      'not-a-controlnet.onnx',
      'tiny-mask.onnx',
    ]);
  });

  it('ControlNetApplyAdvanced gives the pixels of the UNet with the ControlNet built in, on both sides of CFG', async () => {
    const applied = await imageOf(controlled([{ strength: 0.7 }]));
    const reference = await imageOf(base('tiny-control-ref-0.7'));
    const without = await imageOf(base('tiny-control'));
    expect(maxLevelDifference(applied, without)).toBeGreaterThan(10);
    expect(maxLevelDifference(applied, reference)).toBeLessThanOrEqual(1);
  });

  it('chains: two ControlNets add their outputs (0.5 then 0.7 is 1.2)', async () => {
    const chained = await imageOf(controlled([{ strength: 0.5 }, { strength: 0.7 }]));
    const reference = await imageOf(base('tiny-control-ref-1.2'));
    expect(maxLevelDifference(chained, reference)).toBeLessThanOrEqual(1);
  });

  it('the old ControlNetApply on the positive alone is lent to the negative, as ComfyUI does', async () => {
    const old = await imageOf(controlled([{ strength: 0.7, old: true }]));
    const reference = await imageOf(base('tiny-control-ref-0.7'));
    expect(maxLevelDifference(old, reference)).toBeLessThanOrEqual(1);
  });

  it('honours start and end percent: a range that covers no step is no ControlNet, half the steps is in between', async () => {
    const without = await imageOf(base('tiny-control'));
    const never = await imageOf(controlled([{ strength: 0.7, start: 0, end: 0 }]));
    expect(maxLevelDifference(never, without)).toBe(0);
    const full = await imageOf(controlled([{ strength: 0.7 }]));
    const firstHalf = await imageOf(controlled([{ strength: 0.7, start: 0, end: 0.5 }]));
    expect(maxLevelDifference(firstHalf, without)).toBeGreaterThan(1);
    expect(maxLevelDifference(firstHalf, full)).toBeGreaterThan(1);
  });

  it('says how to export a UNet that takes residuals when the model has none', async () => {
    const error = await errorOf(controlled([{ strength: 1 }], 'tiny-sd-fp32'));
    expect(error?.data.node_type).toBe('KSampler');
    expect(error?.data.exception_message).toContain(
      'cannot use a ControlNet with tiny-sd-fp32: its UNet has no residual inputs',
    );
  });

  it('refuses a model that is not a ControlNet, naming the loader', async () => {
    const error = await errorOf(controlled([{ strength: 1 }], 'tiny-control', 'not-a-controlnet.onnx'));
    expect(error?.data.node_type).toBe('ControlNetLoader');
    expect(error?.data.exception_message).toContain(
      'not-a-controlnet.onnx is not a ControlNet: it has no controlnet_cond input',
    );
  });
});

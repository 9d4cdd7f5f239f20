import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../media/decode-image.js';
import type { RasterU8 } from '../../media/raster.js';
import type { HistoryEntry } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { startTestServer, TestSocket, type TestServer } from '../helpers/server.js';
import { runToHistory, savedImages } from '../helpers/workflow-run.js';

/**
 * The embedded model's own adapters, each measured through the server on the figure its card gives: the 4×
 * upscaler's PSNR against true 256² renders (and Lanczos's), the ControlNet's IoU between the mask it is given and
 * the object the segmenter finds (and without it), the ink LoRA's object saturation and recognised objects (and
 * without it); and the example workflows that use them. Fixed seeds make the pixels deterministic: each bound is the
 * figure measured here (training/reports/server-figures.json, quoted in the cards) less a margin for floating-point
 * differences between CPUs.
 */

const root = resolve(import.meta.dirname, '..', '..');
const fixtures = join(root, 'tests', 'fixtures');
const FIGURES = JSON.parse(readFileSync(join(root, 'training', 'reports', 'server-figures.json'), 'utf8')) as {
  upscaler: { cases: number; upscaler: number; lanczos: number };
  controlnet: { cases: number; controlnet: number; no_control: number };
  lora: { cases: number; lora: number; base: number; lora_recognised: number };
};

let server: TestServer;
let socket: TestSocket;

beforeAll(async () => {
  server = await startTestServer({ modelsDir: join(root, 'models') });
  for (const folder of ['upscale-emoji', 'controlnet-emoji'])
    for (const name of readdirSync(join(fixtures, folder)).filter((file) => file.endsWith('.png')))
      copyFileSync(join(fixtures, folder, name), join(server.dirs.inputDir, `${folder}-${name}`));
  socket = await TestSocket.open(server.url, 'adapters');
});
afterAll(async () => {
  socket?.close();
  await server?.stop();
});

function readPng(path: string): RasterU8 {
  const decoded = decodeImage(readFileSync(path));
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.value.raster;
}

function psnr(a: RasterU8, b: RasterU8): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  for (let p = 0; p < a.width * a.height; p++)
    for (let c = 0; c < 3; c++) {
      const d = a.data[p * a.channels + c]! - b.data[p * b.channels + c]!;
      sum += d * d;
    }
  return 10 * Math.log10((255 * 255) / Math.max(sum / (3 * a.width * a.height), 1e-10));
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** A saved mask (MaskToImage) or a hint, as booleans: over half brightness. */
function maskOf(raster: RasterU8): boolean[] {
  return Array.from({ length: raster.width * raster.height }, (_, p) => raster.data[p * raster.channels]! > 127);
}

function iou(a: readonly boolean[], b: readonly boolean[]): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i] && b[i] ? 1 : 0;
    union += a[i] || b[i] ? 1 : 0;
  }
  return union === 0 ? 1 : inter / union;
}

/** Mean HSV saturation of the pixels under a mask: ink is grey, the emoji are colourful. */
function saturation(image: RasterU8, mask: readonly boolean[]): number {
  let sum = 0;
  let count = 0;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    const rgb = [0, 1, 2].map((c) => image.data[p * image.channels + c]! / 255);
    const top = Math.max(...rgb);
    sum += top > 0 ? (top - Math.min(...rgb)) / top : 0;
    count++;
  }
  return count > 0 ? sum / count : 0;
}

/** Text to image on the embedded model, then the segmenter's mask saved beside the image (nodes 9 and 15). */
function generation(options: {
  text: string;
  seed: number;
  lora?: boolean;
  hint?: string;
  classify?: boolean;
}): ApiPrompt {
  const prompt: ApiPrompt = {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'inkgraph-emoji' } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: options.text, clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: options.seed,
        steps: 20,
        cfg: 5,
        sampler_name: 'euler',
        scheduler: 'normal',
        denoise: 1,
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['5', 0],
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'adapter' } },
    '12': { class_type: 'ImageSegmenterLoader', inputs: { model_name: 'inkgraph-emoji-foreground.onnx' } },
    '13': {
      class_type: 'ImageSegment',
      inputs: { image: ['8', 0], segmenter: ['12', 0], threshold: 0.5, class_name: '' },
    },
    '14': { class_type: 'MaskToImage', inputs: { mask: ['13', 0] } },
    '15': { class_type: 'SaveImage', inputs: { images: ['14', 0], filename_prefix: 'adapter-mask' } },
  };
  if (options.lora) {
    prompt['10'] = {
      class_type: 'LoraLoader',
      inputs: {
        lora_name: 'inkgraph-emoji-ink.safetensors',
        strength_model: 1,
        strength_clip: 1,
        model: ['4', 0],
        clip: ['4', 1],
      },
    };
    prompt['6']!.inputs.clip = ['10', 1];
    prompt['7']!.inputs.clip = ['10', 1];
    prompt['3']!.inputs.model = ['10', 0];
  }
  if (options.hint) {
    prompt['20'] = { class_type: 'LoadImage', inputs: { image: options.hint } };
    prompt['21'] = { class_type: 'ControlNetLoader', inputs: { control_net_name: 'inkgraph-emoji-mask.onnx' } };
    prompt['22'] = {
      class_type: 'ControlNetApplyAdvanced',
      inputs: {
        positive: ['6', 0],
        negative: ['7', 0],
        control_net: ['21', 0],
        image: ['20', 0],
        strength: 1,
        start_percent: 0,
        end_percent: 1,
      },
    };
    prompt['3']!.inputs.positive = ['22', 0];
    prompt['3']!.inputs.negative = ['22', 1];
  }
  if (options.classify) {
    prompt['16'] = { class_type: 'ImageClassifierLoader', inputs: { model_name: 'inkgraph-emoji-objects.onnx' } };
    prompt['17'] = { class_type: 'ImageClassify', inputs: { image: ['8', 0], classifier: ['16', 0], top_k: 1 } };
  }
  return prompt;
}

function topLabel(entry: HistoryEntry): string | undefined {
  const labels = entry.outputs['17']?.labels as { label: string }[][] | undefined;
  return labels?.[0]?.[0]?.label;
}

describe("the embedded model's 4× upscaler", () => {
  it('brings 64² scenes closer to their true 256² renders than Lanczos does', async () => {
    const cases = readdirSync(join(fixtures, 'upscale-emoji'))
      .filter((name) => name.endsWith('-64.png'))
      .map((name) => name.slice(0, -'-64.png'.length));
    expect(cases).toHaveLength(FIGURES.upscaler.cases);
    const model: number[] = [];
    const lanczos: number[] = [];
    for (const id of cases) {
      const entry = await runToHistory(server, socket, {
        '1': { class_type: 'LoadImage', inputs: { image: `upscale-emoji-${id}-64.png` } },
        '2': { class_type: 'UpscaleModelLoader', inputs: { model_name: 'inkgraph-emoji-4x.onnx' } },
        '3': { class_type: 'ImageUpscaleWithModel', inputs: { upscale_model: ['2', 0], image: ['1', 0] } },
        '4': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'upscaled' } },
        '5': {
          class_type: 'ImageScale',
          inputs: { image: ['1', 0], upscale_method: 'lanczos', width: 256, height: 256, crop: 'disabled' },
        },
        '6': { class_type: 'SaveImage', inputs: { images: ['5', 0], filename_prefix: 'lanczos' } },
      });
      const truth = readPng(join(fixtures, 'upscale-emoji', `${id}-256.png`));
      model.push(psnr(savedImages(server, entry, '4')[0]!, truth));
      lanczos.push(psnr(savedImages(server, entry, '6')[0]!, truth));
    }
    console.log(`upscaler ${mean(model).toFixed(3)} dB, Lanczos ${mean(lanczos).toFixed(3)} dB (${cases.length})`);
    expect(mean(model)).toBeGreaterThanOrEqual(FIGURES.upscaler.upscaler - 0.1);
    expect(mean(lanczos)).toBeCloseTo(FIGURES.upscaler.lanczos, 1);
    expect(mean(model)).toBeGreaterThan(mean(lanczos) + 0.5);
  });
});

describe("the embedded model's mask ControlNet", () => {
  const cases = JSON.parse(readFileSync(join(fixtures, 'controlnet-emoji', 'cases.json'), 'utf8')) as {
    mask: string;
    prompt: string;
  }[];

  it('puts the object where the mask says: IoU of mask and object, with and without it', async () => {
    expect(cases).toHaveLength(FIGURES.controlnet.cases);
    const controlled: number[] = [];
    const free: number[] = [];
    for (const [index, testCase] of cases.entries()) {
      const hint = maskOf(readPng(join(fixtures, 'controlnet-emoji', testCase.mask)));
      for (const withControl of [true, false]) {
        const entry = await runToHistory(
          server,
          socket,
          generation({
            text: testCase.prompt,
            seed: 100 + index,
            ...(withControl ? { hint: `controlnet-emoji-${testCase.mask}` } : {}),
          }),
        );
        const found = maskOf(savedImages(server, entry, '15')[0]!);
        (withControl ? controlled : free).push(iou(found, hint));
      }
    }
    console.log(`ControlNet IoU ${mean(controlled).toFixed(3)}, without ${mean(free).toFixed(3)} (${cases.length})`);
    expect(mean(controlled)).toBeGreaterThanOrEqual(FIGURES.controlnet.controlnet - 0.03);
    expect(mean(controlled)).toBeGreaterThan(mean(free) + 0.2);
  });
});

describe('a mask drawn in the graph', () => {
  it('says where the object goes: a square made with SolidMask and MaskComposite', async () => {
    const hits: number[] = [];
    for (const [x, y] of [
      [36, 6],
      [6, 34],
    ] as const) {
      const prompt = generation({ text: 'a donut on a green background', seed: 300 + x, hint: 'unused.png' });
      prompt['23'] = { class_type: 'SolidMask', inputs: { value: 0, width: 64, height: 64 } };
      prompt['24'] = { class_type: 'SolidMask', inputs: { value: 1, width: 24, height: 24 } };
      prompt['25'] = {
        class_type: 'MaskComposite',
        inputs: { destination: ['23', 0], source: ['24', 0], x, y, operation: 'add' },
      };
      prompt['20'] = { class_type: 'MaskToImage', inputs: { mask: ['25', 0] } };
      const entry = await runToHistory(server, socket, prompt);
      const found = maskOf(savedImages(server, entry, '15')[0]!);
      const square = Array.from({ length: 64 * 64 }, (_, p) => {
        const [px, py] = [p % 64, Math.floor(p / 64)];
        return px >= x && px < x + 24 && py >= y && py < y + 24;
      });
      const inside = found.filter((on, p) => on && square[p]).length;
      hits.push(inside / Math.max(1, found.filter(Boolean).length));
    }
    // Most of the object the segmenter finds lies inside the square drawn for it.
    console.log(`share of the object inside the drawn square: ${hits.map((h) => h.toFixed(2)).join(', ')}`);
    for (const share of hits) expect(share).toBeGreaterThan(0.6);
  });
});

describe("the embedded model's ink LoRA", () => {
  const OBJECTS = ['apple', 'pizza', 'frog', 'tree', 'star', 'car', 'umbrella', 'balloon'];
  const BACKGROUNDS = ['blue', 'yellow', 'white', 'red', 'purple', 'green', 'orange', 'blue'];

  it('draws the objects in ink with its trigger words, still recognisable, and not without the LoRA', async () => {
    expect(OBJECTS).toHaveLength(FIGURES.lora.cases);
    const withLora: number[] = [];
    const base: number[] = [];
    let recognised = 0;
    for (const [index, object] of OBJECTS.entries()) {
      const text = `a ${object} on a ${BACKGROUNDS[index]} background, ink drawing`;
      for (const lora of [true, false]) {
        const entry = await runToHistory(server, socket, generation({ text, seed: 200 + index, lora, classify: lora }));
        const image = savedImages(server, entry, '9')[0]!;
        (lora ? withLora : base).push(saturation(image, maskOf(savedImages(server, entry, '15')[0]!)));
        if (lora && topLabel(entry) === object) recognised++;
      }
    }
    console.log(
      `ink LoRA saturation ${mean(withLora).toFixed(3)}, without ${mean(base).toFixed(3)}, recognised ${recognised}/${OBJECTS.length}`,
    );
    expect(mean(withLora)).toBeLessThanOrEqual(FIGURES.lora.lora + 0.03);
    expect(mean(base)).toBeGreaterThanOrEqual(FIGURES.lora.base - 0.03);
    expect(recognised / OBJECTS.length).toBeGreaterThanOrEqual(FIGURES.lora.lora_recognised - 0.125);
  });
});

describe('the example workflows that use them', () => {
  function workflow(name: string): ApiPrompt {
    return (JSON.parse(readFileSync(join(root, 'workflows', `${name}.json`), 'utf8')) as { prompt: ApiPrompt }).prompt;
  }

  it('text-to-image-256 ends with a 256² image', async () => {
    const entry = await runToHistory(server, socket, workflow('text-to-image-256'));
    expect([savedImages(server, entry, '9')[0]!.width, savedImages(server, entry, '22')[0]!.width]).toEqual([64, 256]);
  });

  it('lora-ink changes the picture the same prompt gives without the LoRA', async () => {
    const prompt = workflow('lora-ink');
    prompt['12'] = { class_type: 'ImageSegmenterLoader', inputs: { model_name: 'inkgraph-emoji-foreground.onnx' } };
    prompt['13'] = {
      class_type: 'ImageSegment',
      inputs: { image: ['8', 0], segmenter: ['12', 0], threshold: 0.5, class_name: '' },
    };
    prompt['14'] = { class_type: 'MaskToImage', inputs: { mask: ['13', 0] } };
    prompt['15'] = { class_type: 'SaveImage', inputs: { images: ['14', 0], filename_prefix: 'ink-mask' } };
    const entry = await runToHistory(server, socket, prompt);
    const mask = maskOf(savedImages(server, entry, '15')[0]!);
    expect(mask.filter(Boolean).length).toBeGreaterThan(100);
    const inked = savedImages(server, entry, '9')[0]!;
    const plainPrompt = structuredClone(prompt);
    plainPrompt['10']!.inputs.strength_model = 0;
    plainPrompt['10']!.inputs.strength_clip = 0;
    const plain = savedImages(server, await runToHistory(server, socket, plainPrompt), '9')[0]!;
    let difference = 0;
    for (let i = 0; i < inked.data.length; i++) difference += Math.abs(inked.data[i]! - plain.data[i]!);
    difference /= inked.data.length;
    console.log(
      `lora-ink workflow: object saturation ${saturation(inked, mask).toFixed(3)} (${saturation(plain, mask).toFixed(3)} at strength 0), mean pixel difference ${difference.toFixed(1)}`,
    );
    expect(difference).toBeGreaterThan(3);
  });

  it('controlnet-mask draws the second object where the segmenter found the first', async () => {
    const prompt = workflow('controlnet-mask');
    prompt['30'] = {
      class_type: 'ImageSegment',
      inputs: { image: ['19', 0], segmenter: ['12', 0], threshold: 0.5, class_name: '' },
    };
    prompt['31'] = { class_type: 'MaskToImage', inputs: { mask: ['30', 0] } };
    prompt['32'] = { class_type: 'SaveImage', inputs: { images: ['31', 0], filename_prefix: 'second-mask' } };
    prompt['33'] = { class_type: 'SaveImage', inputs: { images: ['14', 0], filename_prefix: 'first-mask' } };
    // The workflow's own seed and three more for the second object: one seed's IoU swings with any change to the
    // model (0.76 and 0.38 for the base and the wording-taught text encoder at seed 7), four read the workflow.
    const overlaps: number[] = [];
    for (const seed of [7, 8, 9, 10]) {
      prompt['18']!.inputs.seed = seed;
      const entry = await runToHistory(server, socket, prompt);
      const first = maskOf(savedImages(server, entry, '33')[0]!);
      const second = maskOf(savedImages(server, entry, '32')[0]!);
      expect(first.filter(Boolean).length).toBeGreaterThan(100);
      overlaps.push(iou(first, second));
    }
    console.log(
      `controlnet-mask workflow: IoU ${overlaps.map((value) => value.toFixed(3)).join(', ')}, mean ${mean(overlaps).toFixed(3)}`,
    );
    expect(mean(overlaps)).toBeGreaterThan(0.4);
  });
});

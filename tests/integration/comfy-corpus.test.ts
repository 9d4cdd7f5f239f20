import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeImage } from '../../media/decode-image.js';
import { encodePng } from '../../media/png.js';
import { fromLitegraph, isLitegraphWorkflow } from '../../shared/litegraph-import.js';
import { objectInfoSchema, type ObjectInfo } from '../../shared/node-spec.js';
import type { HistoryEntry } from '../../shared/protocol.js';
import { compileWorkflow } from '../../shared/workflow-compile.js';
import { apiPromptSchema, isLink, type ApiPrompt } from '../../shared/workflow.js';
import { nearestUpscaler } from '../fixtures/upscale-fixture-graphs.js';
import { copyFixtureModels } from '../helpers/diffusion.js';
import { getJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';
import { runToHistory } from '../helpers/workflow-run.js';

/**
 * ComfyUI's own published workflows (tests/fixtures/comfy-workflows; SOURCES.md there says where each comes from),
 * imported and queued through the real server unchanged but for model file names, LoadImage's file and, where a
 * case says why, its pixel sizes (`shrink`). UI-format files go through `fromLitegraph` against the server's
 * /object_info and `compileWorkflow`, as the editor and `inkgraph run` queue them; API-format files as they are.
 * Files that cannot run say exactly what stops them, so neither list can grow unnoticed.
 */

const CORPUS = resolve(import.meta.dirname, '..', 'fixtures', 'comfy-workflows');
const INPUT_IMAGE = 'comfy-corpus.png';
const SD = 'tiny-sd-fp32';
const SD_INPAINT = 'tiny-sd-inpaint';
/** Named as optimum exports diffusers models, so kohya LoRA keys find its layers. */
const SD_OPTIMUM = 'tiny-sd-optimum';
/** For checkpoints a file runs through CLIPSetLastLayer: this text encoder outputs the hidden states it reads. */
const SD_CLIP_SKIP = 'tiny-sd-clip-skip';
const [SDXL, SDXL_REFINER] = ['tiny-sdxl', 'tiny-sdxl-refiner'];
const SDXL_MODELS = { 'sd_xl_base_1.0.safetensors': SDXL, 'sd_xl_refiner_1.0.safetensors': SDXL_REFINER };

interface RunnableCase {
  readonly file: string;
  /** Each model file name the workflow names → the fixture standing in for it (a name not listed fails the test). */
  readonly models: Readonly<Record<string, string>>;
  /**
   * Every pixel size and position (`SHRUNK_INPUTS`) divided by this. Only where the server's memory budget refuses the
   * file's own sizes: SDXL at 1024², and SD second passes at 1152² to 1920×1088. The tiny fixtures have no
   * memory-profile.json, so the generic estimate applies (16.5 GiB for SDXL at 1024², over the test server's budget).
   */
  readonly shrink?: number;
  /**
   * Each output node's images (SaveImage's, or PreviewImage's in the temp folder) as [width, height], worked out from
   * the file's own (or shrunk) sizes.
   */
  readonly saves: Readonly<Record<string, readonly (readonly [number, number])[]>>;
}

const RUNNABLE: readonly RunnableCase[] = [
  { file: 'frontend-default-graph.json', models: { 'v1-5-pruned-emaonly.ckpt': SD }, saves: { '9': [[512, 512]] } },
  {
    file: 'api-basic-example.json',
    models: { 'v1-5-pruned-emaonly.safetensors': SD },
    saves: { '9': [[512, 512]] },
  },
  {
    file: 'api-inference-default-graph-sdxl1_0.json',
    models: SDXL_MODELS,
    shrink: 2,
    saves: { '13': [[512, 512]] },
  },
  { file: 'examples-sdxl-simple.json', models: SDXL_MODELS, shrink: 2, saves: { '19': [[512, 512]] } },
  { file: 'examples-sdxl-refiner-prompt.json', models: SDXL_MODELS, shrink: 2, saves: { '19': [[512, 512]] } },
  // LoadImage reads the test's 64×64 image; VAEEncode keeps its size.
  { file: 'examples-img2img.json', models: { 'v1-5-pruned-emaonly.ckpt': SD }, saves: { '9': [[64, 64]] } },
  // SDTurboScheduler → SamplerCustom at 512² (no shrink needed). Its SaveImage is muted (mode 2), so the one output
  // is the PreviewImage.
  {
    file: 'examples-sdxl-turbo.json',
    models: { 'sd_xl_turbo_1.0_fp16.safetensors': SDXL },
    saves: { '25': [[512, 512]] },
  },
  // 768² (shrunk 384²), then LatentUpscale to 1152² (shrunk 576²).
  {
    file: 'examples-hiresfix-latent.json',
    models: { 'v2-1_768-ema-pruned.ckpt': SD },
    shrink: 2,
    saves: { '9': [[384, 384]], '12': [[576, 576]] },
  },
  // 1368×768 shrunk to 684×384, a latent of 85×48 (width // 8), so 680×384; LatentUpscaleBy 1.5 rounds 127.5 half to
  // even, 128×72: 1024×576.
  {
    file: 'examples-latent-upscale-different-prompt-model.json',
    models: { 'wd-illusion-fp16.safetensors': SD, 'cardosAnime_v10.safetensors': SD_CLIP_SKIP },
    shrink: 2,
    saves: { '10': [[680, 384]], '12': [[1024, 576]] },
  },
  // 704×1280 (shrunk 352×640), then LatentUpscale to 1088×1920 (shrunk 544×960).
  {
    file: 'examples-area-composition.json',
    models: {
      'Anything-V3.0.ckpt': SD_CLIP_SKIP,
      'AbyssOrangeMix2_hard.safetensors': SD_CLIP_SKIP,
      'vae-ft-mse-840000-ema-pruned.safetensors': SD,
    },
    shrink: 2,
    saves: { '9': [[352, 640]], '32': [[544, 960]] },
  },
  // 1280×704 (shrunk 640×352), then LatentUpscale to 1920×1088 (shrunk 960×544).
  {
    file: 'examples-area-composition-subject.json',
    models: { 'Anything-V3.0.ckpt': SD_CLIP_SKIP, 'vae-ft-mse-840000-ema-pruned.safetensors': SD },
    shrink: 2,
    saves: { '9': [[640, 352]], '32': [[960, 544]] },
  },
  // Three 384×768 latents composited onto the 1920×1088 one (shrunk 960×544), which the last pass decodes.
  {
    file: 'examples-noisy-latent-composition.json',
    models: { 'wd-illusion-fp16.safetensors': SD },
    shrink: 2,
    saves: { '9': [[960, 544]] },
  },
  // LoadImage reads the test's 64×64 image; VAEEncodeForInpaint keeps its size (a multiple of 8).
  {
    file: 'examples-inpaint.json',
    models: { '512-inpainting-ema.safetensors': SD_INPAINT },
    saves: { '9': [[64, 64]] },
  },
  // The 64×64 image padded 128 above and below by ImagePadForOutpaint: 64×320.
  {
    file: 'examples-outpaint.json',
    models: { '512-inpainting-ema.safetensors': SD_INPAINT },
    saves: { '9': [[64, 320]] },
  },
  // Runs, but Inkgraph has no textual-inversion embeddings: "embedding:SDA768.pt" is tokenized as words, where
  // ComfyUI would load the file (or, missing, drop the word with a warning).
  { file: 'examples-embedding.json', models: { 'v2-1_768-ema-pruned.ckpt': SD }, saves: { '9': [[768, 768]] } },
  // LoraLoader between the checkpoint and its users, on a pipeline named as optimum exports (so LoRA keys match).
  {
    file: 'examples-lora.json',
    models: {
      'v1-5-pruned-emaonly.ckpt': SD_OPTIMUM,
      'epiNoiseoffset_v2.safetensors': 'tiny-sd-optimum-style.safetensors',
    },
    saves: { '9': [[512, 512]] },
  },
  // ComfyUI's hires fix with a model: 768² (shrunk 384²), RealESRGAN ×4 (a nearest-neighbour ×4 stand-in) to 1536²,
  // ImageScale to 1536² (shrunk 768²), VAEEncode and a second pass at denoise 0.5.
  {
    file: 'examples-hiresfix-esrgan.json',
    models: { 'v2-1_768-ema-pruned.ckpt': SD, 'RealESRGAN_x4plus.pth': 'nearest-x4.onnx' },
    shrink: 2,
    saves: { '9': [[384, 384]], '12': [[768, 768]] },
  },
  // ModelMergeSimple of two checkpoints exported from the same graph (both stand-ins are tiny-sd-optimum); its
  // CheckpointSave is muted (mode 2). Batch of 4.
  {
    file: 'examples-model-merging.json',
    models: {
      'v1-5-pruned-emaonly.ckpt': SD_OPTIMUM,
      'cardosAnime_v10.safetensors': SD_OPTIMUM,
      'kl-f8-anime2.ckpt': SD,
    },
    saves: {
      '9': [
        [512, 512],
        [512, 512],
        [512, 512],
        [512, 512],
      ],
    },
  },
];

/** Files whose node types Inkgraph does not have: import names exactly these. */
const MISSING_NODE_TYPES: Readonly<Record<string, readonly string[]>> = {
  'examples-gligen.json': ['GLIGENTextBoxApply', 'GLIGENLoader'],
};

/** Files whose legacy group nodes hold node types Inkgraph does not have: group type → those inner types. */
const MISSING_IN_GROUP_NODES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  'examples-sdxl-edit-model.json': { 'workflow/IP2PSampler': ['InstructPixToPixConditioning'] },
};

/**
 * The widgets that carry a pixel size or position, each divided by a case's `shrink`, so that the whole picture
 * shrinks as one: areas, composites and upscales keep their places in the smaller latent.
 */
const SHRUNK_INPUTS: Readonly<Record<string, readonly string[]>> = {
  EmptyLatentImage: ['width', 'height'],
  ImageScale: ['width', 'height'],
  LatentUpscale: ['width', 'height'],
  ConditioningSetArea: ['width', 'height', 'x', 'y'],
  LatentComposite: ['x', 'y', 'feather'],
};

const MODEL_INPUTS = new Set(['ckpt_name', 'vae_name', 'lora_name', 'model_name']);

/** The prompt with model names swapped for fixtures, LoadImage pointed at the test's image and latents shrunk. */
function adapt(prompt: ApiPrompt, models: Readonly<Record<string, string>>, shrink = 1): ApiPrompt {
  const out = structuredClone(prompt);
  for (const [id, node] of Object.entries(out)) {
    for (const [name, value] of Object.entries(node.inputs)) {
      if (!MODEL_INPUTS.has(name) || typeof value !== 'string') continue;
      const fixture = models[value];
      if (!fixture) throw new Error(`#${id} ${node.class_type}.${name}: no fixture listed for "${value}"`);
      node.inputs[name] = fixture;
    }
    if (node.class_type === 'LoadImage') node.inputs.image = INPUT_IMAGE;
    if (shrink === 1) continue;
    for (const name of SHRUNK_INPUTS[node.class_type] ?? []) {
      const size = Number(node.inputs[name]) / shrink;
      if (!Number.isInteger(size)) throw new Error(`#${id} ${node.class_type}.${name}: ${size} is not a whole pixel`);
      node.inputs[name] = size;
    }
  }
  return out;
}

/** The sizes of the images an output node of a finished run wrote, each read from the folder its entry names. */
function imageSizes(entry: HistoryEntry, node: string): [number, number][] {
  const folders = { output: server.dirs.outputDir, temp: server.dirs.tempDir, input: server.dirs.inputDir };
  return (entry.outputs[node]?.images ?? []).map((image) => {
    const decoded = decodeImage(readFileSync(join(folders[image.type], image.subfolder, image.filename)));
    if (!decoded.ok) throw new Error(decoded.reason);
    return [decoded.value.raster.width, decoded.value.raster.height];
  });
}

function readCorpus(file: string): unknown {
  return JSON.parse(readFileSync(join(CORPUS, file), 'utf8'));
}

/** A corpus file as the prompt the server runs: UI format imported and compiled, API format as it is. */
function toPrompt(raw: unknown, objectInfo: ObjectInfo): ApiPrompt {
  if (!isLitegraphWorkflow(raw)) return apiPromptSchema.parse(raw);
  const imported = fromLitegraph(raw, objectInfo);
  if (!imported.ok) throw new Error(imported.reason);
  return compileWorkflow(imported.value, objectInfo);
}

/** The parts of a UI-format file the PrimitiveNode check reads, to read them without trusting the import. */
const rawGraphSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      type: z.string(),
      inputs: z.array(z.object({ widget: z.object({ name: z.string() }).optional() })).optional(),
      outputs: z.array(z.object({ links: z.array(z.number()).nullable().optional() })).optional(),
      widgets_values: z.array(z.unknown()).optional(),
    }),
  ),
  links: z.array(z.tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.string()])),
});

/** What each PrimitiveNode in the raw file writes, read off its links: [target id, widget name, value]. */
function primitiveWrites(raw: unknown): [string, string, unknown][] {
  const { nodes, links } = rawGraphSchema.parse(raw);
  const writes: [string, string, unknown][] = [];
  for (const primitive of nodes.filter((node) => node.type === 'PrimitiveNode'))
    for (const linkId of primitive.outputs?.[0]?.links ?? []) {
      const [, , , targetId, targetSlot] = links.find((link) => link[0] === linkId)!;
      const widget = nodes.find((node) => node.id === targetId)?.inputs?.[targetSlot]?.widget?.name;
      if (widget === undefined) throw new Error(`link ${linkId} does not end at a widget input`);
      writes.push([String(targetId), widget, primitive.widgets_values?.[0]]);
    }
  return writes;
}

/** The graph's shape: each node's class and its links, without values. */
function shape(prompt: ApiPrompt): Record<string, [string, Record<string, unknown>]> {
  return Object.fromEntries(
    Object.entries(prompt).map(([id, node]) => [
      id,
      [node.class_type, Object.fromEntries(Object.entries(node.inputs).filter(([, value]) => isLink(value)))],
    ]),
  );
}

let server: TestServer;
let socket: TestSocket;
let objectInfo: ObjectInfo;

beforeAll(async () => {
  server = await startTestServer();
  copyFixtureModels(server.dirs.modelsDir);
  mkdirSync(join(server.dirs.modelsDir, 'upscale_models'));
  writeFileSync(join(server.dirs.modelsDir, 'upscale_models', 'nearest-x4.onnx'), nearestUpscaler(4));
  // 64×64 with a transparent square, so LoadImage's mask (1 − alpha) is not empty.
  const data = new Uint8Array(64 * 64 * 4);
  for (let i = 0; i < 64 * 64; i++) {
    const [x, y] = [i % 64, Math.floor(i / 64)];
    data.set([x * 4, y * 4, 120, x >= 16 && x < 48 && y >= 16 && y < 48 ? 0 : 255], i * 4);
  }
  writeFileSync(join(server.dirs.inputDir, INPUT_IMAGE), encodePng({ width: 64, height: 64, channels: 4, data }));
  objectInfo = objectInfoSchema.parse((await getJson(`${server.url}/object_info`)).json);
  socket = await TestSocket.open(server.url, 'comfy-corpus');
});
afterAll(async () => {
  socket.close();
  await server.stop();
});

describe("ComfyUI's published workflows", () => {
  it('sorts every corpus file into exactly one list', () => {
    const listed = [
      ...RUNNABLE.map((c) => c.file),
      ...Object.keys(MISSING_NODE_TYPES),
      ...Object.keys(MISSING_IN_GROUP_NODES),
    ];
    expect(listed.sort()).toEqual(
      readdirSync(CORPUS)
        .filter((file) => file.endsWith('.json'))
        .sort(),
    );
  });

  it("imports the frontend's default graph with ComfyUI's widget values, as the API example's graph", () => {
    const prompt = toPrompt(readCorpus('frontend-default-graph.json'), objectInfo);
    expect(prompt['3']!.inputs).toMatchObject({
      seed: 156680208700286,
      steps: 20,
      cfg: 8,
      sampler_name: 'euler',
      scheduler: 'normal',
      denoise: 1,
    });
    expect(prompt['5']!.inputs).toEqual({ width: 512, height: 512, batch_size: 1 });
    // SaveImage has no widgets_values there: filename_prefix takes its default.
    expect(prompt['9']!.inputs.filename_prefix).toBe('ComfyUI');
    // script_examples' prompt is "the one for the default workflow": the same nodes, ids and links.
    expect(shape(prompt)).toEqual(shape(toPrompt(readCorpus('api-basic-example.json'), objectInfo)));
  });

  it.each(['examples-sdxl-simple.json', 'examples-sdxl-refiner-prompt.json'])(
    '%s takes each PrimitiveNode value into the widgets it feeds',
    (file) => {
      const raw = readCorpus(file);
      const writes = primitiveWrites(raw);
      expect(writes.length).toBeGreaterThan(0);
      const prompt = toPrompt(raw, objectInfo);
      for (const [target, widget, value] of writes) expect(prompt[target]!.inputs[widget]).toEqual(value);
      expect(Object.values(prompt).some((node) => node.class_type === 'PrimitiveNode')).toBe(false);
    },
  );

  it.each(Object.entries(MISSING_NODE_TYPES))('%s names exactly the node types Inkgraph lacks', (file, missing) => {
    const imported = fromLitegraph(readCorpus(file), objectInfo);
    expect(imported.ok ? 'imported' : imported.reason).toBe(
      `this workflow uses node types Inkgraph does not have: ${missing.join(', ')}`,
    );
  });

  it.each(Object.entries(MISSING_IN_GROUP_NODES))('%s names the types its group nodes hold', (file, groups) => {
    const imported = fromLitegraph(readCorpus(file), objectInfo);
    const named = Object.entries(groups).map(([group, types]) => `${group} (${types.join(', ')})`);
    expect(imported.ok ? 'imported' : imported.reason).toBe(
      `this workflow uses legacy group nodes holding node types Inkgraph does not have: ${named.join(', ')}`,
    );
  });

  it.each(RUNNABLE.map((c) => [c.file, c] as const))('%s imports and runs', async (_file, c) => {
    const prompt = adapt(toPrompt(readCorpus(c.file), objectInfo), c.models, c.shrink);
    const entry = await runToHistory(server, socket, prompt);
    expect(Object.keys(entry.outputs).sort()).toEqual(Object.keys(c.saves).sort());
    for (const [node, sizes] of Object.entries(c.saves)) expect(imageSizes(entry, node)).toEqual(sizes);
  });
});

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodePng } from '../../media/png.js';
import { fromLitegraph, isLitegraphWorkflow } from '../../shared/litegraph-import.js';
import { objectInfoSchema, type ObjectInfo } from '../../shared/node-spec.js';
import { errorBodySchema } from '../../shared/protocol.js';
import { compileWorkflow } from '../../shared/workflow-compile.js';
import { apiPromptSchema, isLink, type ApiPrompt } from '../../shared/workflow.js';
import { copyFixtureModels } from '../helpers/diffusion.js';
import { getJson, postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';
import { runToHistory, savedImages } from '../helpers/workflow-run.js';

/**
 * ComfyUI's own published workflows (tests/fixtures/comfy-workflows; SOURCES.md there says where each comes from),
 * imported and queued through the real server unchanged but for model file names, LoadImage's file and, where a
 * case says why, EmptyLatentImage's size. UI-format files go through `fromLitegraph` against the server's
 * /object_info and `compileWorkflow`, as the editor and `inkgraph run` queue them; API-format files as they are.
 * Files that cannot run say exactly what stops them, so neither list can grow unnoticed.
 */

const CORPUS = resolve(import.meta.dirname, '..', 'fixtures', 'comfy-workflows');
const INPUT_IMAGE = 'comfy-corpus.png';
const SD = 'tiny-sd-fp32';
const SD_INPAINT = 'tiny-sd-inpaint';
const [SDXL, SDXL_REFINER] = ['tiny-sdxl', 'tiny-sdxl-refiner'];
const SDXL_MODELS = { 'sd_xl_base_1.0.safetensors': SDXL, 'sd_xl_refiner_1.0.safetensors': SDXL_REFINER };

interface RunnableCase {
  readonly file: string;
  /** Each model file name the workflow names → the fixture standing in for it (a name not listed fails the test). */
  readonly models: Readonly<Record<string, string>>;
  /**
   * EmptyLatentImage's width and height divided by this. Only for SDXL at 1024²: the server's memory budget refuses
   * it, as tiny-sdxl has no memory-profile.json and the generic estimate is 16.5 GiB (over the test server's budget).
   */
  readonly shrink?: number;
  /** Each save node's images as [width, height], worked out from the file's own (or shrunk) sizes. */
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
];

/** Files whose node types Inkgraph does not have: import names exactly these. */
const MISSING_NODE_TYPES: Readonly<Record<string, readonly string[]>> = {
  'examples-gligen.json': ['GLIGENTextBoxApply', 'GLIGENLoader'],
  'examples-hiresfix-esrgan.json': ['ImageUpscaleWithModel', 'UpscaleModelLoader'],
  'examples-lora.json': ['LoraLoader'],
  'examples-model-merging.json': ['CheckpointSave', 'ModelMergeSimple'],
  'examples-sdxl-turbo.json': ['KSamplerSelect', 'SDTurboScheduler', 'SamplerCustom'],
};

/** Files whose legacy group nodes hold node types Inkgraph does not have: group type → those inner types. */
const MISSING_IN_GROUP_NODES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  'examples-sdxl-edit-model.json': {
    'workflow/IP2PSampler': [
      'KSamplerSelect',
      'RandomNoise',
      'BasicScheduler',
      'InstructPixToPixConditioning',
      'DualCFGGuider',
      'SamplerCustomAdvanced',
    ],
  },
};

interface SamplerCase {
  readonly models: Readonly<Record<string, string>>;
  /** The sampler nodes /prompt refuses, with the sampler_name each asks for. */
  readonly refused: Readonly<Record<string, string>>;
}

/**
 * Files that import but ask for samplers Inkgraph does not have: /prompt refuses exactly these nodes. With the sampler
 * swapped they run (checked by hand), but the five whose second pass reaches 1152² to 1920×1088 then meet the memory
 * budget as SDXL does (the tiny fixtures have no memory-profile.json), so they will want `shrink` too.
 */
const MISSING_SAMPLERS: Readonly<Record<string, SamplerCase>> = {
  'examples-hiresfix-latent.json': { models: { 'v2-1_768-ema-pruned.ckpt': SD }, refused: { '3': 'dpmpp_sde' } },
  'examples-latent-upscale-different-prompt-model.json': {
    models: { 'wd-illusion-fp16.safetensors': SD, 'cardosAnime_v10.safetensors': SD },
    refused: { '3': 'dpmpp_sde', '32': 'dpmpp_sde' },
  },
  'examples-area-composition.json': {
    models: {
      'Anything-V3.0.ckpt': SD,
      'AbyssOrangeMix2_hard.safetensors': SD,
      'vae-ft-mse-840000-ema-pruned.safetensors': SD,
    },
    refused: { '3': 'dpmpp_sde' },
  },
  'examples-area-composition-subject.json': {
    models: { 'Anything-V3.0.ckpt': SD, 'vae-ft-mse-840000-ema-pruned.safetensors': SD },
    refused: { '3': 'dpmpp_sde', '24': 'dpmpp_sde' },
  },
  'examples-noisy-latent-composition.json': {
    models: { 'wd-illusion-fp16.safetensors': SD },
    refused: { '57': 'dpmpp_sde', '58': 'dpmpp_sde', '60': 'dpmpp_sde', '64': 'dpmpp_sde', '73': 'dpmpp_sde' },
  },
  'examples-inpaint.json': { models: { '512-inpainting-ema.safetensors': SD_INPAINT }, refused: { '3': 'uni_pc_bh2' } },
  'examples-outpaint.json': {
    models: { '512-inpainting-ema.safetensors': SD_INPAINT },
    refused: { '3': 'uni_pc_bh2' },
  },
  'examples-embedding.json': { models: { 'v2-1_768-ema-pruned.ckpt': SD }, refused: { '3': 'uni_pc_bh2' } },
};

const MODEL_INPUTS = new Set(['ckpt_name', 'vae_name']);

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
    if (node.class_type === 'EmptyLatentImage' && shrink !== 1)
      for (const name of ['width', 'height']) node.inputs[name] = Number(node.inputs[name]) / shrink;
  }
  return out;
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
      ...Object.keys(MISSING_SAMPLERS),
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

  it.each(Object.entries(MISSING_SAMPLERS))('%s is refused only for samplers Inkgraph lacks', async (file, c) => {
    const prompt = adapt(toPrompt(readCorpus(file), objectInfo), c.models);
    const response = await postJson(`${server.url}/prompt`, { prompt, client_id: socket.clientId });
    expect(response.status).toBe(400);
    const nodeErrors = errorBodySchema.parse(response.json).node_errors ?? {};
    expect(
      Object.fromEntries(
        Object.entries(nodeErrors).map(([id, { errors }]) => [
          id,
          errors.map(({ type, extra_info }) => [type, extra_info.input_name, extra_info.received_value]),
        ]),
      ),
    ).toEqual(
      Object.fromEntries(
        Object.entries(c.refused).map(([id, sampler]) => [id, [['value_not_in_list', 'sampler_name', sampler]]]),
      ),
    );
  });

  it.each(RUNNABLE.map((c) => [c.file, c] as const))('%s imports and runs', async (_file, c) => {
    const prompt = adapt(toPrompt(readCorpus(c.file), objectInfo), c.models, c.shrink);
    const entry = await runToHistory(server, socket, prompt);
    expect(Object.keys(entry.outputs).sort()).toEqual(Object.keys(c.saves).sort());
    for (const [node, sizes] of Object.entries(c.saves))
      expect(savedImages(server, entry, node).map((image) => [image.width, image.height])).toEqual(sizes);
  });
});

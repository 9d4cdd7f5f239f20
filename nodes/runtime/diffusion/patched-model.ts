import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { err, ok, type Result } from '../../../shared/result.js';
import { readOnnxGraph, type OnnxGraph, type OnnxInitializer } from '../onnx/onnx-graph.js';
import {
  encodeInitializer,
  encodeValues,
  externalPath,
  isFloatWeight,
  readInitializer,
  rewriteModel,
} from '../onnx/onnx-weights.js';
import { indexWeights, type WeightIndex } from '../onnx/weight-locator.js';
import { openLoraFile, type LoraFileIndex } from './lora-file.js';
import type { PipelinePart, TextEncoderSet } from './lora-keys.js';
import { addLoraDelta, matchLora } from './lora-match.js';
import { textEncodersOf } from './pipeline-parts.js';
import { ldmModuleNames } from './unet-ldm-names.js';

/** One LoRA as a loader applied it: the file, its strength on this part, and the file's size and time then. */
export interface AppliedLora {
  readonly kind: 'lora';
  readonly path: string;
  readonly strength: number;
  readonly stamp: string;
}

/**
 * A merge with another pipeline's same part (itself with its own steps): every float weight becomes
 * `selfScale · this + otherScale · other`, ComfyUI's add_patches(other, strength_patch, strength_model).
 */
export interface AppliedMerge {
  readonly kind: 'merge';
  readonly dir: string;
  readonly steps: readonly PatchStep[];
  readonly selfScale: number;
  readonly otherScale: number;
  /**
   * ModelMergeBlocks: the ratio by the weight's original (ldm) name instead, `input` for input_blocks and what has
   * no block (time_embed), `middle` for middle_block, `out` for output_blocks and out (self r, other 1 − r).
   */
  readonly blocks?: BlockRatios;
}

export interface BlockRatios {
  readonly input: number;
  readonly middle: number;
  readonly out: number;
}

/** What is done to a part's weights, in order: LoRAs added, merges with other models. */
export type PatchStep = AppliedLora | AppliedMerge;

/** What was done to each part of a pipeline's weights (LoRAs, merges), in the order the nodes did it. */
export type PipelinePatches = Readonly<Partial<Record<PipelinePart, readonly PatchStep[]>>>;

/** Whether a step changes any weight (a LoRA at strength 0 does not). */
export function changesWeights(step: PatchStep): boolean {
  return step.kind === 'merge' || step.strength !== 0;
}

export function fileStamp(path: string): string {
  const stat = statSync(path);
  return `${stat.size}:${stat.mtimeMs}`;
}

/** Where a patched model is: in memory (models whose weights are all inside model.onnx) or a folder on disk. */
export type PatchedModelSource =
  { readonly kind: 'bytes'; readonly bytes: Uint8Array } | { readonly kind: 'file'; readonly path: string };

interface ModelWeights {
  readonly bytes: Uint8Array;
  readonly graph: OnnxGraph;
  readonly index: WeightIndex;
}

function readModel(modelPath: string): Result<ModelWeights> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(modelPath);
  } catch (error) {
    return err(`cannot read ${modelPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const graph = readOnnxGraph(bytes);
  if (!graph.ok) return err(`${modelPath}: ${graph.reason}`);
  return ok({ bytes, graph: graph.value, index: indexWeights(graph.value) });
}

const indexes = new Map<string, { stamp: string; index: WeightIndex }>();

/** The linear and conv weights of a model by module path, read once per file version. */
export function weightIndexOf(modelPath: string): Result<WeightIndex> {
  const stamp = fileStamp(modelPath);
  const known = indexes.get(modelPath);
  if (known?.stamp === stamp) return ok(known.index);
  const model = readModel(modelPath);
  if (!model.ok) return model;
  indexes.set(modelPath, { stamp, index: model.value.index });
  return ok(model.value.index);
}

const openFiles = new Map<string, { stamp: string; file: LoraFileIndex }>();

export function loraFileOf(path: string): Result<LoraFileIndex> {
  const stamp = fileStamp(path);
  const known = openFiles.get(path);
  if (known?.stamp === stamp) return ok(known.file);
  const file = openLoraFile(path);
  if (file.ok) openFiles.set(path, { stamp, file: file.value });
  return file;
}

function stepKey(part: PipelinePart, step: PatchStep): unknown {
  if (step.kind === 'lora') return ['lora', step.path, step.strength, step.stamp];
  const other = join(step.dir, part, 'model.onnx');
  return [
    'merge',
    other,
    fileStamp(other),
    step.selfScale,
    step.otherScale,
    step.blocks ?? null,
    step.steps.map((s) => stepKey(part, s)),
  ];
}

/** The key a patched part is cached under: the model file and every step with its strengths and file versions. */
export function patchKey(modelPath: string, part: PipelinePart, steps: readonly PatchStep[]): string {
  return JSON.stringify([modelPath, fileStamp(modelPath), ...steps.map((step) => stepKey(part, step))]);
}

type PatchedValues = Map<string, { initializer: OnnxInitializer; values: Float32Array }>;

/** An initializer's values in `patched`, read from the model the first time. */
function valuesFor(
  patched: PatchedValues,
  initializer: OnnxInitializer,
  model: ModelWeights,
  modelDir: string,
): Result<Float32Array> {
  const known = patched.get(initializer.name);
  if (known) return ok(known.values);
  const values = readInitializer(initializer, model.bytes, modelDir);
  if (values.ok) patched.set(initializer.name, { initializer, values: values.value });
  return values;
}

function addLora(
  patched: PatchedValues,
  model: ModelWeights,
  modelDir: string,
  part: PipelinePart,
  lora: AppliedLora,
  encoders: TextEncoderSet,
): Result<void> {
  const file = loraFileOf(lora.path);
  if (!file.ok) return file;
  const match = matchLora(file.value, new Map([[part, model.index]]), encoders);
  for (const { pair, target } of match.byPart.get(part) ?? []) {
    const values = valuesFor(patched, target.initializer, model, modelDir);
    if (!values.ok) return values;
    const up = file.value.read(pair.up.name);
    if (!up.ok) return up;
    const down = file.value.read(pair.down.name);
    if (!down.ok) return down;
    const rank = pair.down.shape[0]!;
    let scale = lora.strength;
    if (pair.alphaName) {
      const alpha = file.value.read(pair.alphaName);
      if (!alpha.ok) return alpha;
      if (alpha.value.length !== 1) return err(`${lora.path}: ${pair.alphaName} is not a single number`);
      scale *= alpha.value[0]! / rank;
    }
    addLoraDelta(values.value, target, up.value, down.value, rank, scale);
  }
  return ok(undefined);
}

function merge(
  patched: PatchedValues,
  model: ModelWeights,
  modelDir: string,
  part: PipelinePart,
  step: AppliedMerge,
): Result<void> {
  const otherPath = join(step.dir, part, 'model.onnx');
  const other = readModel(otherPath);
  if (!other.ok) return other;
  const otherValues = patchedValues(other.value, dirname(otherPath), part, step.steps, textEncodersOf(step.dir));
  if (!otherValues.ok) return otherValues;
  const ratioOf = step.blocks ? blockRatioOf(model, step.blocks) : undefined;
  for (const initializer of model.graph.initializers.values()) {
    if (!isFloatWeight(initializer)) continue;
    const twin = other.value.graph.initializers.get(initializer.name);
    if (!twin || twin.dataType !== initializer.dataType || twin.dims.join() !== initializer.dims.join())
      return err(
        `${otherPath} is not the same graph as the model it is merged into: its weight ${JSON.stringify(initializer.name)} is ${twin ? `[${twin.dims.join(', ')}] of type ${twin.dataType}` : 'missing'}, not [${initializer.dims.join(', ')}] of type ${initializer.dataType}`,
      );
    const mine = valuesFor(patched, initializer, model, modelDir);
    if (!mine.ok) return mine;
    const theirs = valuesFor(otherValues.value, twin, other.value, dirname(otherPath));
    if (!theirs.ok) return theirs;
    const [a, b] = [mine.value, theirs.value];
    const ratio = ratioOf?.(initializer.name);
    const [own, others] = ratio === undefined ? [step.selfScale, step.otherScale] : [ratio, 1 - ratio];
    for (let i = 0; i < a.length; i++) a[i] = own * a[i]! + others * b[i]!;
  }
  return ok(undefined);
}

/**
 * ModelMergeBlocks' ratio for each initializer, by its ldm name: a parameter's own name (`….weight`, `….bias`)
 * names its module, an unnamed MatMul weight's module comes from the graph; ComfyUI tests the key's start against
 * input, middle and out in turn, the last match winning, and gives the rest the first ratio.
 */
function blockRatioOf(model: ModelWeights, ratios: BlockRatios): (initializer: string) => number {
  const moduleOf = new Map<string, string>();
  for (const target of model.index.targets.values()) moduleOf.set(target.initializer.name, target.module);
  for (const name of model.graph.initializers.keys()) {
    const dot = name.lastIndexOf('.');
    if (!moduleOf.has(name) && dot > 0) moduleOf.set(name, name.slice(0, dot));
  }
  const ldm = ldmModuleNames(new Set(moduleOf.values()));
  return (initializer) => {
    const module = moduleOf.get(initializer);
    const name = module === undefined ? undefined : ldm.get(module);
    let ratio = ratios.input;
    if (name === undefined) return ratio;
    if (name.startsWith('input')) ratio = ratios.input;
    if (name.startsWith('middle')) ratio = ratios.middle;
    if (name.startsWith('out')) ratio = ratios.out;
    return ratio;
  };
}

/** Applies the steps in order to the weights they touch (as float32, read once each). */
function patchedValues(
  model: ModelWeights,
  modelDir: string,
  part: PipelinePart,
  steps: readonly PatchStep[],
  encoders: TextEncoderSet,
): Result<PatchedValues> {
  const patched: PatchedValues = new Map();
  for (const step of steps) {
    if (!changesWeights(step)) continue;
    const done =
      step.kind === 'lora'
        ? addLora(patched, model, modelDir, part, step, encoders)
        : merge(patched, model, modelDir, part, step);
    if (!done.ok) return done;
  }
  return ok(patched);
}

const PATCH_FILE = 'inkgraph-patched.bin';
/** External data offsets are kept page-aligned, so onnxruntime may map them. */
const ALIGN = 4096;

/** Puts a model's external data file into `dir` without copying it where the file system allows a hard link. */
function linkOrCopy(source: string, target: string): void {
  if (existsSync(target)) return;
  mkdirSync(dirname(target), { recursive: true });
  try {
    linkSync(source, target);
  } catch {
    copyFileSync(source, target);
  }
}

/**
 * A model with LoRAs applied: in memory when all its weights are inside model.onnx; otherwise a folder under
 * `cacheDir` (named by the patch key, reused when it is already there) with the patched weights in a file of their
 * own and the model's untouched external data linked in. The original path when no LoRA changes any weight.
 */
export function buildPatchedModel(
  modelPath: string,
  part: PipelinePart,
  steps: readonly PatchStep[],
  encoders: TextEncoderSet,
  cacheDir: string,
): Result<PatchedModelSource> {
  const modelDir = dirname(modelPath);
  const key = patchKey(modelPath, part, steps);
  const folder = join(cacheDir, createHash('sha256').update(key).digest('hex').slice(0, 32));
  const cached = join(folder, 'model.onnx');
  if (existsSync(cached)) return ok({ kind: 'file', path: cached });
  const model = readModel(modelPath);
  if (!model.ok) return model;
  const patched = patchedValues(model.value, modelDir, part, steps, encoders);
  if (!patched.ok) return patched;
  if (patched.value.size === 0) return ok({ kind: 'file', path: modelPath });
  const external = [...model.value.graph.initializers.values()].filter((i) => i.data.kind === 'external');
  if (external.length === 0) {
    const replaced = new Map<string, Uint8Array>();
    for (const [name, { initializer, values }] of patched.value)
      replaced.set(
        name,
        encodeInitializer(initializer, { kind: 'raw', bytes: encodeValues(initializer.dataType, values) }),
      );
    return ok({ kind: 'bytes', bytes: rewriteModel(model.value.bytes, model.value.graph, replaced) });
  }
  const staging = `${folder}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const written = writePatchedFolder(staging, modelDir, model.value, external, patched.value);
  if (!written.ok) {
    rmSync(staging, { recursive: true, force: true });
    return err(`cannot write the patched model to ${folder}: ${written.reason}`);
  }
  rmSync(folder, { recursive: true, force: true });
  renameSync(staging, folder);
  return ok({ kind: 'file', path: cached });
}

function writePatchedFolder(
  staging: string,
  modelDir: string,
  model: ModelWeights,
  external: readonly OnnxInitializer[],
  patched: ReadonlyMap<string, { initializer: OnnxInitializer; values: Float32Array }>,
): Result<void> {
  try {
    mkdirSync(staging, { recursive: true });
    for (const location of new Set(external.map((i) => (i.data.kind === 'external' ? i.data.location : '')))) {
      const source = externalPath(modelDir, location);
      if (!source.ok) return source;
      const target = externalPath(staging, location);
      if (!target.ok) return target;
      linkOrCopy(source.value, target.value);
    }
    const chunks: Uint8Array[] = [];
    const replaced = new Map<string, Uint8Array>();
    let offset = 0;
    for (const [name, { initializer, values }] of patched) {
      const encoded = encodeValues(initializer.dataType, values);
      const padding = (ALIGN - (offset % ALIGN)) % ALIGN;
      if (padding > 0) chunks.push(new Uint8Array(padding));
      offset += padding;
      chunks.push(encoded);
      replaced.set(
        name,
        encodeInitializer(initializer, { kind: 'external', location: PATCH_FILE, offset, length: encoded.length }),
      );
      offset += encoded.length;
    }
    writeFileSync(join(staging, PATCH_FILE), Buffer.concat(chunks));
    writeFileSync(join(staging, 'model.onnx'), rewriteModel(model.bytes, model.graph, replaced));
    return ok(undefined);
  } catch (error) {
    return err(error instanceof Error ? error.message : String(error));
  }
}

const weightShapes = new Map<string, { stamp: string; shapes: ReadonlyMap<string, string> }>();

/** Every float initializer of a model with its type and dims (what a merge needs to be the same), read once per file version. */
export function weightShapesOf(modelPath: string): Result<ReadonlyMap<string, string>> {
  const stamp = fileStamp(modelPath);
  const known = weightShapes.get(modelPath);
  if (known?.stamp === stamp) return ok(known.shapes);
  const model = readModel(modelPath);
  if (!model.ok) return model;
  const shapes = new Map<string, string>();
  for (const initializer of model.value.graph.initializers.values())
    if (isFloatWeight(initializer))
      shapes.set(initializer.name, `type ${initializer.dataType} [${initializer.dims.join(', ')}]`);
  weightShapes.set(modelPath, { stamp, shapes });
  return ok(shapes);
}

/** Where patched copies of models with external data go: the temp folder, emptied when the server starts. */
export function patchedModelsDir(env: { readonly tempDir: string }): string {
  return join(env.tempDir, 'patched-models');
}

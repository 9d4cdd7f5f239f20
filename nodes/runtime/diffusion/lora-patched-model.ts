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
import { encodeInitializer, encodeValues, externalPath, readInitializer, rewriteModel } from '../onnx/onnx-weights.js';
import { indexWeights, type WeightIndex } from '../onnx/weight-locator.js';
import { openLoraFile, type LoraFileIndex } from './lora-file.js';
import type { LoraPart, TextEncoderSet } from './lora-keys.js';
import { addLoraDelta, matchLora } from './lora-match.js';

/** One LoRA as a loader applied it: the file, its strength on this part, and the file's size and time then. */
export interface AppliedLora {
  readonly path: string;
  readonly strength: number;
  readonly stamp: string;
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

/** The key a patched part is cached under: the model file and every LoRA with its strength and file version. */
export function patchKey(modelPath: string, loras: readonly AppliedLora[]): string {
  return JSON.stringify([modelPath, fileStamp(modelPath), ...loras.map((l) => [l.path, l.strength, l.stamp])]);
}

/** Sums every LoRA's change into the weights it touches (as float32, read once each). */
function patchedValues(
  model: ModelWeights,
  modelDir: string,
  part: LoraPart,
  loras: readonly AppliedLora[],
  encoders: TextEncoderSet,
): Result<Map<string, { initializer: OnnxInitializer; values: Float32Array }>> {
  const patched = new Map<string, { initializer: OnnxInitializer; values: Float32Array }>();
  for (const lora of loras) {
    if (lora.strength === 0) continue;
    const file = loraFileOf(lora.path);
    if (!file.ok) return file;
    const match = matchLora(file.value, new Map([[part, model.index]]), encoders);
    for (const { pair, target } of match.byPart.get(part) ?? []) {
      let entry = patched.get(target.initializer.name);
      if (!entry) {
        const values = readInitializer(target.initializer, model.bytes, modelDir);
        if (!values.ok) return values;
        entry = { initializer: target.initializer, values: values.value };
        patched.set(target.initializer.name, entry);
      }
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
      addLoraDelta(entry.values, target, up.value, down.value, rank, scale);
    }
  }
  return ok(patched);
}

const PATCH_FILE = 'inkgraph-lora.bin';
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
  part: LoraPart,
  loras: readonly AppliedLora[],
  encoders: TextEncoderSet,
  cacheDir: string,
): Result<PatchedModelSource> {
  const modelDir = dirname(modelPath);
  const key = patchKey(modelPath, loras);
  const folder = join(cacheDir, createHash('sha256').update(key).digest('hex').slice(0, 32));
  const cached = join(folder, 'model.onnx');
  if (existsSync(cached)) return ok({ kind: 'file', path: cached });
  const model = readModel(modelPath);
  if (!model.ok) return model;
  const patched = patchedValues(model.value, modelDir, part, loras, encoders);
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

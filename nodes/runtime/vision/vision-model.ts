import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SharedCaches } from '../../contract/node-context.js';
import { createImageBatch } from '../image/image-batch.js';
import type { ImageBatch, MaskBatch } from '../../contract/socket-types.js';
import { loadSession, releaseSession, runSession, type LoadedSession } from '../onnx/session.js';
import { inferSidecar, mergeSidecar } from './presets.js';
import { mapToImage, prepareItem, softmax, topK } from './preprocess.js';
import type { Sidecar } from './sidecar.js';
import { unclipRegions } from './regions.js';

/** Classifier and segmenter models: ONNX files in models/classifiers and models/segmenters, each with an optional sidecar. */

export interface VisionModel {
  readonly name: string;
  readonly path: string;
  readonly task: Sidecar['task'];
  readonly sidecar: Sidecar;
  readonly labels: readonly string[];
  readonly labelsZh: readonly string[] | undefined;
  /** What was assumed when the sidecar left something out. */
  readonly note: string | undefined;
}

export interface Label {
  readonly label: string;
  readonly label_zh?: string;
  readonly score: number;
}

/** Per batch item, the best labels with their scores. */
export type Labels = readonly (readonly Label[])[];

declare module '../../contract/socket-types.js' {
  interface SocketTypes {
    CLASSIFIER: VisionModel;
    SEGMENTER: VisionModel;
    LABELS: Labels;
  }
}

export function listVisionModels(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.onnx') && !name.startsWith('.'))
    .sort();
}

function session(caches: SharedCaches, path: string): Promise<LoadedSession> {
  return caches.getOrCreate(
    `vision:${path}`,
    () => loadSession(path),
    (loaded) => releaseSession(loaded),
  );
}

function readLabels(path: string, sidecar: Sidecar, outputs: number | undefined): string[] {
  if (sidecar.labels) return sidecar.labels;
  if (sidecar.labels_file) {
    const file = join(dirname(path), basename(sidecar.labels_file));
    if (!existsSync(file)) throw new Error(`labels_file ${sidecar.labels_file} is not beside the model`);
    return readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0);
  }
  const config = join(dirname(path), 'config.json');
  if (existsSync(config)) {
    const id2label = (JSON.parse(readFileSync(config, 'utf8')) as { id2label?: Record<string, string> }).id2label;
    if (id2label)
      return Object.keys(id2label)
        .sort((a, b) => Number(a) - Number(b))
        .map((key) => id2label[key]!);
  }
  return Array.from({ length: outputs ?? 0 }, (_, index) => `class ${index}`);
}

export async function loadVisionModel(path: string, task: Sidecar['task'], caches: SharedCaches): Promise<VisionModel> {
  const name = basename(path);
  const loaded = await session(caches, path);
  const sidecarPath = path.replace(/\.onnx$/i, '.json');
  let file: unknown;
  if (existsSync(sidecarPath)) {
    try {
      file = JSON.parse(readFileSync(sidecarPath, 'utf8'));
    } catch (error) {
      throw new Error(
        `${basename(sidecarPath)} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const given = (file ?? {}) as { input?: { name?: string }; output?: { name?: string } };
  const inputName = given.input?.name ?? [...loaded.inputs.keys()][0];
  const outputName = given.output?.name ?? loaded.outputNames[0];
  if (!inputName || !loaded.inputs.has(inputName))
    throw new Error(
      `${name}: the sidecar names input "${inputName}" but the model's inputs are ${[...loaded.inputs.keys()].join(', ')}`,
    );
  if (!outputName || !loaded.outputNames.includes(outputName))
    throw new Error(
      `${name}: the sidecar names output "${outputName}" but the model's outputs are ${loaded.outputNames.join(', ')}`,
    );
  const preset = inferSidecar(task, {
    inputName,
    inputShape: loaded.inputs.get(inputName)!.shape,
    outputName,
    outputShape: loaded.outputShapes.get(outputName) ?? [],
  });
  const sidecar = file === undefined ? preset.sidecar : mergeSidecar(preset.sidecar, { ...(file as object), task });
  const declared = loaded.inputs.get(inputName)!;
  if (declared.shape.length !== 4)
    throw new Error(
      `${name}: input ${inputName} has rank ${declared.shape.length}; an image model takes [N, C, H, W] or [N, H, W, C]`,
    );
  const channelIndex = sidecar.input.layout === 'NCHW' ? 1 : 3;
  if (typeof declared.shape[channelIndex] === 'number' && declared.shape[channelIndex] !== 3) {
    throw new Error(
      `${name}: the sidecar says ${sidecar.input.layout} but input ${inputName} has ${declared.shape[channelIndex]} channels there`,
    );
  }
  for (const [axis, index] of [
    ['height', sidecar.input.layout === 'NCHW' ? 2 : 1],
    ['width', sidecar.input.layout === 'NCHW' ? 3 : 2],
  ] as const) {
    const fixed = declared.shape[index];
    const wanted = sidecar.input.size?.[axis === 'height' ? 0 : 1];
    if (
      typeof fixed === 'number' &&
      sidecar.input.resize !== 'multiple-of' &&
      wanted !== undefined &&
      fixed !== wanted
    ) {
      throw new Error(
        `${name}: the sidecar's size ${sidecar.input.size?.join('×')} does not match the model's fixed ${axis} ${fixed}`,
      );
    }
  }
  const outputs = loaded.outputShapes.get(outputName)?.[1];
  const labels = readLabels(path, sidecar, typeof outputs === 'number' ? outputs : undefined);
  return {
    name,
    path,
    task,
    sidecar: {
      ...sidecar,
      input: { ...sidecar.input, name: inputName },
      output: { ...sidecar.output, name: outputName },
    },
    labels,
    labelsZh: sidecar.labels_zh,
    note: file === undefined ? preset.note : undefined,
  };
}

async function runItem(model: VisionModel, image: ImageBatch, item: number, caches: SharedCaches) {
  const loaded = await session(caches, model.path);
  const prepared = prepareItem(image, item, model.sidecar.input);
  const result = await runSession(
    loaded,
    { [model.sidecar.input.name!]: { data: prepared.data, dims: prepared.dims } },
    [model.sidecar.output.name!],
  );
  const output = result[model.sidecar.output.name!];
  if (!output) throw new Error(`${model.name}: no output ${model.sidecar.output.name}`);
  return { output, prepared };
}

export async function classify(
  model: VisionModel,
  images: ImageBatch,
  k: number,
  caches: SharedCaches,
): Promise<Labels> {
  const results: Label[][] = [];
  for (let item = 0; item < images.batch; item++) {
    const { output } = await runItem(model, images, item, caches);
    const logits = output.data.subarray(0, Number(output.dims[1] ?? output.data.length));
    const scores =
      model.sidecar.output.activation === 'softmax'
        ? softmax(logits)
        : model.sidecar.output.activation === 'sigmoid'
          ? logits.map((v) => 1 / (1 + Math.exp(-v)))
          : logits;
    results.push(
      topK(scores, k).map(({ index, score }) => ({
        label: model.labels[index] ?? `class ${index}`,
        ...(model.labelsZh?.[index] ? { label_zh: model.labelsZh[index] } : {}),
        score,
      })),
    );
  }
  return results;
}

export interface Segmentation {
  readonly mask: MaskBatch;
  /** For multi-class models: the class map, one colour per class. */
  readonly classMap: ImageBatch | undefined;
  readonly classes: readonly string[];
}

function classColour(index: number): [number, number, number] {
  if (index === 0) return [0, 0, 0];
  const hue = (index * 137.508) % 360;
  const c = 0.8;
  const x = c * (1 - Math.abs(((hue / 60) % 2) - 1));
  const [r, g, b] =
    hue < 60
      ? [c, x, 0]
      : hue < 120
        ? [x, c, 0]
        : hue < 180
          ? [0, c, x]
          : hue < 240
            ? [0, x, c]
            : hue < 300
              ? [x, 0, c]
              : [c, 0, x];
  return [r + 0.2, g + 0.2, b + 0.2];
}

/** A mask per image: probability above threshold, or (multi-class) the chosen class, or every non-background class. */
export async function segment(
  model: VisionModel,
  images: ImageBatch,
  threshold: number,
  className: string,
  caches: SharedCaches,
): Promise<Segmentation> {
  const plane = images.width * images.height;
  const mask = new Float32Array(images.batch * plane);
  const classMap =
    model.sidecar.kind === 'classes' ? createImageBatch(images.batch, images.height, images.width, 3) : undefined;
  const wanted = className.trim() === '' ? undefined : model.labels.indexOf(className.trim());
  if (wanted === -1)
    throw new Error(
      `class_name: ${model.name} has no class "${className}" (it has ${model.labels.slice(0, 30).join(', ')})`,
    );
  for (let item = 0; item < images.batch; item++) {
    const { output, prepared } = await runItem(model, images, item, caches);
    const [, channels = 1, mapHeight = 1, mapWidth = 1] = output.dims.map(Number);
    const mapPlane = mapHeight * mapWidth;
    if (model.sidecar.kind === 'classes' && channels > 1) {
      const winners = new Float32Array(mapPlane);
      for (let p = 0; p < mapPlane; p++) {
        let best = 0;
        for (let c = 1; c < channels; c++)
          if (output.data[c * mapPlane + p]! > output.data[best * mapPlane + p]!) best = c;
        winners[p] = best;
      }
      const selected = winners.map((value) => (wanted === undefined ? (value > 0 ? 1 : 0) : value === wanted ? 1 : 0));
      const back = mapToImage(selected, mapWidth, mapHeight, prepared.geometry, images.width, images.height);
      for (let p = 0; p < plane; p++) mask[item * plane + p] = back[p]! >= 0.5 ? 1 : 0;
      // The class map: nearest class per pixel, coloured.
      const classes = mapToImage(winners, mapWidth, mapHeight, prepared.geometry, images.width, images.height);
      for (let p = 0; p < plane; p++) classMap!.data.set(classColour(Math.round(classes[p]!)), (item * plane + p) * 3);
      continue;
    }
    let probability = output.data.subarray(0, mapPlane);
    if (model.sidecar.output.activation === 'sigmoid') probability = probability.map((v) => 1 / (1 + Math.exp(-v)));
    if (model.sidecar.output.min_max) {
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const value of probability) {
        min = Math.min(min, value);
        max = Math.max(max, value);
      }
      probability = probability.map((value) => (value - min) / Math.max(1e-6, max - min));
    }
    if (model.sidecar.output.unclip > 0) {
      const binary = Uint8Array.from(probability, (value) => (value >= threshold ? 1 : 0));
      probability = Float32Array.from(unclipRegions(binary, mapWidth, mapHeight, model.sidecar.output.unclip));
    }
    const back = mapToImage(probability, mapWidth, mapHeight, prepared.geometry, images.width, images.height);
    const cut = model.sidecar.output.unclip > 0 ? 0.5 : threshold;
    for (let p = 0; p < plane; p++) mask[item * plane + p] = back[p]! >= cut ? 1 : 0;
  }
  return {
    mask: { batch: images.batch, height: images.height, width: images.width, data: mask },
    classMap,
    classes: model.labels,
  };
}

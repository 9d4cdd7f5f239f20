import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import type { SharedCaches } from '../../contract/node-context.js';
import type { ImageBatch } from '../../contract/socket-types.js';
import { listFiles } from '../../../media/image-files.js';
import { tiledScale, tileCount, type Plane } from '../diffusion/tile-plan.js';
import { fixedDim, loadSession, releaseSession, runSession, type LoadedSession } from '../onnx/session.js';
import { createImageBatch } from './image-batch.js';

/**
 * Super-resolution models (ESRGAN and the like) as ONNX files in models/upscale_models: [1, 3, h, w] RGB in 0…1 to
 * [1, 3, h·s, w·s]. The scale is the sidecar's (`<name>.json`: {"scale": 4}), else the model's fixed shapes, else
 * measured on a small probe tile when the model loads.
 */

export interface UpscaleModel {
  readonly name: string;
  readonly path: string;
  readonly scale: number;
}

declare module '../../contract/socket-types.js' {
  interface SocketTypes {
    UPSCALE_MODEL: UpscaleModel;
  }
}

/** ComfyUI's ImageUpscaleWithModel: 512-pixel tiles overlapping by 32, blended with its feathered weights. */
export const UPSCALE_TILE = 512;
export const UPSCALE_OVERLAP = 32;
const PROBE = 16;

export function listUpscaleModels(folder: string): string[] {
  return listFiles(folder, (name) => name.toLowerCase().endsWith('.onnx'));
}

const sidecarSchema = z.object({ scale: z.number().int().min(1).max(16) }).passthrough();

function session(caches: SharedCaches, path: string): Promise<LoadedSession> {
  return caches.getOrCreate(
    `upscale:${path}`,
    () => loadSession(path),
    (loaded) => releaseSession(loaded),
  );
}

function inputOf(loaded: LoadedSession): string {
  const [input] = loaded.inputs.values();
  if (!input || loaded.inputs.size !== 1 || input.shape.length !== 4 || fixedDim(input, 1) !== 3)
    throw new Error(
      `${basename(loaded.path)} is not an image upscaler: it must take one [batch, 3, height, width] input (it takes ${[
        ...loaded.inputs.values(),
      ]
        .map((i) => `${i.name} [${i.shape.join(', ')}]`)
        .join(', ')})`,
    );
  return input.name;
}

async function runTile(loaded: LoadedSession, input: string, tile: Plane): Promise<Plane> {
  const outputs = await runSession(loaded, { [input]: { data: tile.data, dims: [1, 3, tile.height, tile.width] } });
  const out = outputs[loaded.outputNames[0]!];
  if (!out || out.dims.length !== 4 || out.dims[1] !== 3)
    throw new Error(`${basename(loaded.path)} returned no [1, 3, H, W] image`);
  return { channels: 3, height: Number(out.dims[2]), width: Number(out.dims[3]), data: out.data };
}

async function scaleOf(path: string, loaded: LoadedSession, input: string): Promise<number> {
  const sidecar = path.replace(/\.onnx$/i, '.json');
  if (existsSync(sidecar)) {
    const parsed = sidecarSchema.safeParse(JSON.parse(readFileSync(sidecar, 'utf8')));
    if (!parsed.success) throw new Error(`${basename(sidecar)}: "scale" must be a whole number from 1 to 16`);
    return parsed.data.scale;
  }
  const info = loaded.inputs.get(input)!;
  const [inHeight, outShape] = [fixedDim(info, 2), loaded.outputShapes.get(loaded.outputNames[0]!)];
  const outHeight = typeof outShape?.[2] === 'number' ? outShape[2] : undefined;
  if (inHeight !== undefined && outHeight !== undefined && outHeight % inHeight === 0) return outHeight / inHeight;
  const [height, width] = [inHeight ?? PROBE, fixedDim(info, 3) ?? PROBE];
  const probe = await runTile(loaded, input, {
    channels: 3,
    height,
    width,
    data: new Float32Array(3 * height * width).fill(0.5),
  });
  const scale = probe.height / height;
  if (!Number.isInteger(scale) || scale < 1 || probe.width / width !== scale)
    throw new Error(
      `${basename(path)} turned a ${width}×${height} tile into ${probe.width}×${probe.height}: not a whole-number upscale (give the scale in ${basename(sidecar)})`,
    );
  return scale;
}

export async function loadUpscaleModel(path: string, caches: SharedCaches): Promise<UpscaleModel> {
  const loaded = await session(caches, path);
  const input = inputOf(loaded);
  return { name: basename(path), path, scale: await scaleOf(path, loaded, input) };
}

/** How many tiles upscaling a batch of this size takes (ComfyUI's get_tiled_scale_steps, for progress). */
export function upscaleSteps(image: Pick<ImageBatch, 'batch' | 'height' | 'width'>): number {
  return image.batch * tileCount(image.height, image.width, UPSCALE_TILE, UPSCALE_TILE, UPSCALE_OVERLAP);
}

/**
 * ComfyUI's ImageUpscaleWithModel: each image (alpha dropped) run in overlapping tiles, so any size works in the
 * memory of one tile, blended, and clamped to 0…1.
 */
export async function upscaleImage(
  model: UpscaleModel,
  image: ImageBatch,
  caches: SharedCaches,
  onTile: (done: number, total: number) => void,
): Promise<ImageBatch> {
  const loaded = await session(caches, model.path);
  const input = inputOf(loaded);
  const total = upscaleSteps(image);
  let done = 0;
  const height = image.height * model.scale;
  const width = image.width * model.scale;
  const out = createImageBatch(image.batch, height, width, 3);
  const pixels = image.height * image.width;
  for (let b = 0; b < image.batch; b++) {
    const planar = new Float32Array(3 * pixels);
    const base = b * pixels * image.channels;
    for (let p = 0; p < pixels; p++)
      for (let c = 0; c < 3; c++) planar[c * pixels + p] = image.data[base + p * image.channels + c]!;
    const scaled = await tiledScale(
      { channels: 3, height: image.height, width: image.width, data: planar },
      async (tile) => {
        const result = await runTile(loaded, input, tile);
        if (result.height !== tile.height * model.scale || result.width !== tile.width * model.scale)
          throw new Error(
            `${model.name} turned a ${tile.width}×${tile.height} tile into ${result.width}×${result.height}, not ×${model.scale}`,
          );
        return result;
      },
      { tileX: UPSCALE_TILE, tileY: UPSCALE_TILE, overlap: UPSCALE_OVERLAP, scale: model.scale, outChannels: 3 },
      () => onTile(++done, total),
    );
    const outBase = b * height * width * 3;
    const plane = height * width;
    for (let p = 0; p < plane; p++)
      for (let c = 0; c < 3; c++) {
        const value = scaled.data[c * plane + p]!;
        out.data[outBase + p * 3 + c] = value <= 0 ? 0 : value >= 1 ? 1 : value;
      }
  }
  return out;
}

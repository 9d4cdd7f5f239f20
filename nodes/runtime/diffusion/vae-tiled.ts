import type { SharedCaches } from '../../contract/node-context.js';
import {
  rowBytes,
  type ImageShape,
  type LatentShape,
  type ModelShape,
  type NodeMemory,
} from '../../contract/memory.js';
import type { ImageBatch } from '../../contract/socket-types.js';
import { formatBytes } from '../../../shared/format-bytes.js';
import { createImageBatch } from '../image/image-batch.js';
import { runSession } from '../onnx/session.js';
import { tileCount, tiledScale, type Plane } from './tile-plan.js';
import type { Tensor4, VaeModel } from './types.js';

/** Tile size and overlap along each side, in the units of what is tiled (latent cells to decode, pixels to encode). */
export interface TileSettings {
  readonly tileX: number;
  readonly tileY: number;
  readonly overlap: number;
}

interface TileShape {
  readonly x: number;
  readonly y: number;
}

/**
 * ComfyUI's three tilings (comfy/sd.py `decode_tiled_`), averaged so no seam sits in the same place in all three:
 * tall-narrow, short-wide, square, in the order ComfyUI sums them.
 */
function decodePasses({ tileX, tileY }: TileSettings): TileShape[] {
  return [
    { x: Math.floor(tileX / 2), y: tileY * 2 },
    { x: tileX * 2, y: Math.floor(tileY / 2) },
    { x: tileX, y: tileY },
  ];
}

/** `encode_tiled_` sums the same three tilings starting from the square one. */
function encodePasses({ tileX, tileY }: TileSettings): TileShape[] {
  return [
    { x: tileX, y: tileY },
    { x: tileX * 2, y: Math.floor(tileY / 2) },
    { x: Math.floor(tileX / 2), y: tileY * 2 },
  ];
}

function checkPasses(passes: readonly TileShape[], overlap: number): void {
  for (const pass of passes)
    if (pass.x < 1 || pass.y < 1) throw new Error(`a ${pass.x}×${pass.y} tile is empty: the tile size is too small`);
  if (!Number.isInteger(overlap) || overlap < 0) throw new Error(`the overlap must be ≥ 0, not ${overlap}`);
}

/** Tile function calls for a batch (the progress bar's length). */
export function tiledSteps(
  batch: number,
  height: number,
  width: number,
  settings: TileSettings,
  encode: boolean,
): number {
  const passes = encode ? encodePasses(settings) : decodePasses(settings);
  return batch * passes.reduce((n, p) => n + tileCount(height, width, p.y, p.x, settings.overlap), 0);
}

/** Tiled VAE decode into an IMAGE, as ComfyUI's VAE.decode_tiled does for image VAEs. */
export async function decodeLatentsTiled(
  vae: VaeModel,
  latents: Tensor4,
  settings: TileSettings,
  caches: SharedCaches,
  onTile?: (done: number, total: number) => void,
): Promise<ImageBatch> {
  const { vaeDecoder } = await vae.pipeline.sessions(caches);
  if (latents.channels !== vae.latentChannels)
    throw new Error(`the latent has ${latents.channels} channels but this VAE takes ${vae.latentChannels}`);
  if (latents.batch === 0) throw new Error('cannot decode an empty latent batch');
  const passes = decodePasses(settings);
  checkPasses(passes, settings.overlap);
  const total = tiledSteps(latents.batch, latents.height, latents.width, settings, false);
  let done = 0;
  const decodeTile = async (tile: Plane): Promise<Plane> => {
    const result = await runSession(vaeDecoder, {
      latent_sample: { data: tile.data, dims: [1, tile.channels, tile.height, tile.width] },
    });
    const sample = result.sample ?? Object.values(result)[0];
    if (!sample || sample.dims.length !== 4) throw new Error('the VAE decoder returned no [1, 3, H, W] sample');
    return { channels: 3, height: Number(sample.dims[2]), width: Number(sample.dims[3]), data: sample.data };
  };
  const itemSize = latents.channels * latents.height * latents.width;
  const height = latents.height * vae.downscale;
  const width = latents.width * vae.downscale;
  const out = createImageBatch(latents.batch, height, width, 3);
  const plane = height * width;
  for (let b = 0; b < latents.batch; b++) {
    const item: Plane = {
      channels: latents.channels,
      height: latents.height,
      width: latents.width,
      data: latents.data.subarray(b * itemSize, (b + 1) * itemSize),
    };
    const average = new Float32Array(3 * plane);
    for (const pass of passes) {
      const blended = await tiledScale(
        item,
        decodeTile,
        { tileX: pass.x, tileY: pass.y, overlap: settings.overlap, scale: vae.downscale, outChannels: 3 },
        () => onTile?.(++done, total),
      );
      if (blended.height !== height || blended.width !== width)
        throw new Error(`the VAE decoder gave ${blended.width}×${blended.height}, not ${width}×${height}`);
      for (let i = 0; i < average.length; i++) average[i]! += blended.data[i]!;
    }
    // Averaged in [-1, 1], then mapped to [0, 1] and clamped once, as ComfyUI's process_output does.
    const base = b * plane * 3;
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) {
        const value = (average[c * plane + p]! / passes.length + 1) / 2;
        out.data[base + p * 3 + c] = value <= 0 ? 0 : value >= 1 ? 1 : value;
      }
    }
  }
  return out;
}

/** Tiled VAE encode of an IMAGE (alpha dropped, centre-cropped to the VAE's cell) into VAE-space latents. */
export async function encodeImagesTiled(
  vae: VaeModel,
  images: ImageBatch,
  settings: TileSettings,
  caches: SharedCaches,
  onTile?: (done: number, total: number) => void,
): Promise<Tensor4> {
  const { vaeEncoder } = await vae.pipeline.sessions(caches);
  const encoderOutput = vae.encoderOutput;
  if (!vaeEncoder || !encoderOutput)
    throw new Error(`${vae.name} has no vae_encoder/model.onnx, so it cannot encode images`);
  const step = vae.downscale;
  const height = Math.floor(images.height / step) * step;
  const width = Math.floor(images.width / step) * step;
  if (height === 0 || width === 0)
    throw new Error(`the image (${images.width}×${images.height}) is smaller than the VAE's ${step}-pixel cell`);
  if (images.batch === 0) throw new Error('cannot encode an empty image batch');
  const passes = encodePasses(settings);
  checkPasses(passes, settings.overlap);
  const total = tiledSteps(images.batch, height, width, settings, true);
  let done = 0;
  const channels = vae.latentChannels;
  const encodeTile = async (tile: Plane): Promise<Plane> => {
    const result = await runSession(vaeEncoder, {
      sample: { data: tile.data, dims: [1, 3, tile.height, tile.width] },
    });
    const output = result[encoderOutput];
    if (!output || output.dims.length !== 4) throw new Error(`the VAE encoder returned no ${encoderOutput}`);
    const given = encoderOutput === 'latent_parameters' ? Number(output.dims[1]) / 2 : Number(output.dims[1]);
    if (given !== channels) throw new Error(`the VAE encoder gave ${given} latent channels, not ${channels}`);
    const tileHeight = Number(output.dims[2]);
    const tileWidth = Number(output.dims[3]);
    // latent_parameters is mean ‖ logvar: the mean is the first half of the channels.
    const data = output.data.subarray(0, channels * tileHeight * tileWidth);
    return { channels, height: tileHeight, width: tileWidth, data };
  };
  const yOffset = Math.floor((images.height - height) / 2);
  const xOffset = Math.floor((images.width - width) / 2);
  const plane = height * width;
  const latentHeight = height / step;
  const latentWidth = width / step;
  const itemSize = channels * latentHeight * latentWidth;
  const latents = new Float32Array(images.batch * itemSize);
  for (let b = 0; b < images.batch; b++) {
    const pixels = new Float32Array(3 * plane);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const source = ((b * images.height + y + yOffset) * images.width + x + xOffset) * images.channels;
        for (let c = 0; c < 3; c++) pixels[c * plane + y * width + x] = images.data[source + c]! * 2 - 1;
      }
    }
    const item: Plane = { channels: 3, height, width, data: pixels };
    const sum = latents.subarray(b * itemSize, (b + 1) * itemSize);
    for (const pass of passes) {
      const blended = await tiledScale(
        item,
        encodeTile,
        { tileX: pass.x, tileY: pass.y, overlap: settings.overlap, scale: 1 / step, outChannels: channels },
        () => onTile?.(++done, total),
      );
      if (blended.height !== latentHeight || blended.width !== latentWidth)
        throw new Error(
          `the VAE encoder gave ${blended.width}×${blended.height} cells, not ${latentWidth}×${latentHeight}`,
        );
      for (let i = 0; i < itemSize; i++) sum[i]! += blended.data[i]!;
    }
    for (let i = 0; i < itemSize; i++) sum[i] = sum[i]! / passes.length;
  }
  return { batch: images.batch, channels, height: latentHeight, width: latentWidth, data: latents };
}

/** The largest tile of any pass, clamped to the input: the VAE call's size. */
function largestTileCells(height: number, width: number, passes: readonly TileShape[]): number {
  return Math.max(...passes.map((p) => Math.min(height, p.y) * Math.min(width, p.x)));
}

/** One VAE call on the largest tile, plus the blend's float buffers (sum, weights, pass average) of one item. */
export function vaeDecodeTiledMemory(
  latent: LatentShape | undefined,
  vae: ModelShape | undefined,
  settings: TileSettings | undefined,
): NodeMemory {
  if (!latent || !vae || !settings) return { outputs: [undefined], workingBytes: 0 };
  const image: ImageShape = {
    kind: 'image',
    batch: latent.batch,
    height: latent.height * vae.downscale,
    width: latent.width * vae.downscale,
    channels: 3,
  };
  const cells = largestTileCells(latent.height, latent.width, decodePasses(settings));
  const perTile = vae.vaeDecoder ? rowBytes(vae.vaeDecoder, cells) : 0;
  const buffers = 3 * image.height * image.width * 3 * 4;
  return {
    outputs: [image],
    workingBytes: perTile + buffers,
    driver: {
      input: 'samples',
      why: `${latent.width}×${latent.height} latent cells in tiles of up to ${cells} cells, ~${formatBytes(perTile)} per tile`,
    },
  };
}

export function vaeEncodeTiledMemory(
  image: ImageShape | undefined,
  vae: ModelShape | undefined,
  settings: TileSettings | undefined,
): NodeMemory {
  if (!image || !vae || !settings) return { outputs: [undefined], workingBytes: 0 };
  const height = Math.floor(image.height / vae.downscale);
  const width = Math.floor(image.width / vae.downscale);
  const latent: LatentShape = {
    kind: 'latent',
    batch: image.batch,
    channels: vae.latentChannels,
    height,
    width,
    downscale: vae.downscale,
  };
  const tilePixels = largestTileCells(height * vae.downscale, width * vae.downscale, encodePasses(settings));
  const cells = Math.ceil(tilePixels / (vae.downscale * vae.downscale));
  const perTile = (vae.vaeEncoder ? rowBytes(vae.vaeEncoder, cells) : 0) + tilePixels * 3 * 4;
  // The item's pixels, plus the latent's sum and weights.
  const buffers = image.height * image.width * 3 * 4 + 2 * vae.latentChannels * height * width * 4;
  return {
    outputs: [latent],
    workingBytes: perTile + buffers,
    driver: {
      input: 'pixels',
      why: `${image.width}×${image.height} px in tiles of up to ${tilePixels} px, ~${formatBytes(perTile)} per tile`,
    },
  };
}

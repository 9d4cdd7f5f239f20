import type { ImageBatch } from '../../contract/socket-types.js';
import { resizePixels } from '../image/resize.js';
import type { Preprocessing } from './sidecar.js';

/** Image → model input tensor, and the geometry that maps outputs back onto the image. Pure. */

export interface Geometry {
  /** The region of the source image the model saw (after crops), in source pixels. */
  readonly source: { x: number; y: number; width: number; height: number };
  /** The tensor's size, and the part of it the image fills (the rest is padding). */
  readonly tensor: { width: number; height: number };
  readonly content: { width: number; height: number };
}

export interface Prepared {
  readonly data: Float32Array;
  readonly dims: [number, number, number, number];
  readonly geometry: Geometry;
}

/** The box of pixels that differ from the border colour (the object of a flat-background scene). */
export function foregroundBox(
  image: ImageBatch,
  item: number,
): { x: number; y: number; width: number; height: number } {
  const { width, height, channels } = image;
  const base = item * width * height * channels;
  const at = (x: number, y: number, c: number): number => image.data[base + (y * width + x) * channels + c]!;
  const border: number[][] = [[], [], []];
  for (let x = 0; x < width; x++)
    for (const y of [0, height - 1]) for (let c = 0; c < 3; c++) border[c]!.push(at(x, y, c));
  for (let y = 0; y < height; y++)
    for (const x of [0, width - 1]) for (let c = 0; c < 3; c++) border[c]!.push(at(x, y, c));
  const background = border.map((values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!);
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const difference =
        Math.abs(at(x, y, 0) - background[0]!) +
        Math.abs(at(x, y, 1) - background[1]!) +
        Math.abs(at(x, y, 2) - background[2]!);
      if (difference > 0.25) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
    }
  }
  if (maxX < 0) return { x: 0, y: 0, width, height };
  // A square around the object with a pixel of margin, as the classifier was trained on.
  const side = Math.min(Math.max(maxX - minX + 1, maxY - minY + 1) + 2, Math.min(width, height));
  const cx = (minX + maxX + 1) / 2;
  const cy = (minY + maxY + 1) / 2;
  const x = Math.round(Math.min(Math.max(cx - side / 2, 0), width - side));
  const y = Math.round(Math.min(Math.max(cy - side / 2, 0), height - side));
  return { x, y, width: side, height: side };
}

function sliceItem(image: ImageBatch, item: number, region: { x: number; y: number; width: number; height: number }) {
  const data = new Float32Array(region.width * region.height * 3);
  for (let y = 0; y < region.height; y++) {
    for (let x = 0; x < region.width; x++) {
      const s = ((item * image.height + region.y + y) * image.width + region.x + x) * image.channels;
      data.set(image.data.subarray(s, s + 3), (y * region.width + x) * 3);
    }
  }
  return { batch: 1, height: region.height, width: region.width, channels: 3, data };
}

/** The tensor size and the part the image fills, for a source size and a preprocessing. */
export function plan(
  width: number,
  height: number,
  spec: Preprocessing,
): {
  tensor: { width: number; height: number };
  content: { width: number; height: number };
  resizeTo: { width: number; height: number };
  crop?: { x: number; y: number };
} {
  const [sizeH, sizeW] = spec.size ?? [224, 224];
  switch (spec.resize) {
    case 'stretch':
      return {
        tensor: { width: sizeW, height: sizeH },
        content: { width: sizeW, height: sizeH },
        resizeTo: { width: sizeW, height: sizeH },
      };
    case 'short-side-crop': {
      const short = spec.resize_short ?? Math.round((Math.min(sizeH, sizeW) * 256) / 224);
      const scale = short / Math.min(width, height);
      const resizeTo = {
        width: Math.max(sizeW, Math.round(width * scale)),
        height: Math.max(sizeH, Math.round(height * scale)),
      };
      return {
        tensor: { width: sizeW, height: sizeH },
        content: { width: sizeW, height: sizeH },
        resizeTo,
        crop: { x: Math.floor((resizeTo.width - sizeW) / 2), y: Math.floor((resizeTo.height - sizeH) / 2) },
      };
    }
    case 'keep-aspect-pad': {
      const scale = Math.min(sizeW / width, sizeH / height);
      const content = {
        width: Math.max(1, Math.round(width * scale)),
        height: Math.max(1, Math.round(height * scale)),
      };
      return { tensor: { width: sizeW, height: sizeH }, content, resizeTo: content };
    }
    case 'multiple-of': {
      const scale = Math.min(1, spec.max_side / Math.max(width, height));
      const round = (value: number): number =>
        Math.max(spec.multiple, Math.round((value * scale) / spec.multiple) * spec.multiple);
      const size = { width: round(width), height: round(height) };
      return { tensor: size, content: size, resizeTo: size };
    }
  }
}

/** One batch item as the model's input tensor (batch dimension 1). */
export function prepareItem(image: ImageBatch, item: number, spec: Preprocessing): Prepared {
  const source =
    spec.crop === 'foreground' ? foregroundBox(image, item) : { x: 0, y: 0, width: image.width, height: image.height };
  const pixels = sliceItem(image, item, source);
  const layout = plan(source.width, source.height, spec);
  const resized = resizePixels(pixels, layout.resizeTo.width, layout.resizeTo.height, 'bilinear', 'disabled');
  const { width, height } = layout.tensor;
  const data = new Float32Array(3 * width * height);
  let maximum = 1;
  if (spec.normalize_by_max) maximum = Math.max(1e-6, ...resized.data);
  const channelOf = spec.channel_order === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  // Padding (keep-aspect-pad) is the normalised value of black, or 0 after normalisation.
  for (let c = 0; c < 3; c++) {
    const pad = spec.pad === 'zero' ? 0 : (0 - spec.mean[c]!) / spec.std[c]!;
    for (let i = 0; i < width * height; i++) data[spec.layout === 'NCHW' ? c * width * height + i : i * 3 + c] = pad;
  }
  const crop = layout.crop ?? { x: 0, y: 0 };
  for (let y = 0; y < layout.content.height; y++) {
    for (let x = 0; x < layout.content.width; x++) {
      const s = ((y + crop.y) * resized.width + x + crop.x) * 3;
      for (let c = 0; c < 3; c++) {
        const pixel = (resized.data[s + channelOf[c]!]! / maximum) * 255;
        const value = (pixel * spec.scale - spec.mean[c]!) / spec.std[c]!;
        const index = y * width + x;
        data[spec.layout === 'NCHW' ? c * width * height + index : index * 3 + c] = value;
      }
    }
  }
  const dims: [number, number, number, number] = spec.layout === 'NCHW' ? [1, 3, height, width] : [1, height, width, 3];
  return { data, dims, geometry: { source, tensor: layout.tensor, content: layout.content } };
}

/** Softmax of logits. */
export function softmax(logits: Float32Array): Float32Array {
  const max = Math.max(...logits);
  const exps = logits.map((value) => Math.exp(value - max));
  const sum = exps.reduce((total, value) => total + value, 0);
  return exps.map((value) => value / sum);
}

export function topK(scores: Float32Array, k: number): { index: number; score: number }[] {
  return Array.from(scores, (score, index) => ({ index, score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

/**
 * A map the model produced over its input tensor ([H, W] for one channel) brought back onto the source image:
 * the padding dropped, resized to the region the model saw, placed in a full-size map (0 elsewhere).
 */
export function mapToImage(
  map: Float32Array,
  mapWidth: number,
  mapHeight: number,
  geometry: Geometry,
  imageWidth: number,
  imageHeight: number,
): Float32Array {
  // The map may be smaller than the tensor (strided outputs): scale the content box accordingly.
  const contentWidth = Math.max(1, Math.round((geometry.content.width * mapWidth) / geometry.tensor.width));
  const contentHeight = Math.max(1, Math.round((geometry.content.height * mapHeight) / geometry.tensor.height));
  const content = new Float32Array(contentWidth * contentHeight);
  for (let y = 0; y < contentHeight; y++)
    for (let x = 0; x < contentWidth; x++) content[y * contentWidth + x] = map[y * mapWidth + x]!;
  const resized = resizePixels(
    { batch: 1, height: contentHeight, width: contentWidth, channels: 1, data: content },
    geometry.source.width,
    geometry.source.height,
    'bilinear',
    'disabled',
  );
  const out = new Float32Array(imageWidth * imageHeight);
  for (let y = 0; y < geometry.source.height; y++)
    out.set(
      resized.data.subarray(y * geometry.source.width, (y + 1) * geometry.source.width),
      (geometry.source.y + y) * imageWidth + geometry.source.x,
    );
  return out;
}

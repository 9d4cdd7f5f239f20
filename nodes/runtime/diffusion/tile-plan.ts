import { pythonRound } from '../image/python-round.js';
/**
 * Tiled processing with ComfyUI's feathered blending (comfy/utils.py `tiled_scale_multidim`, two spatial dims):
 * overlapping tiles are run one at a time, each output tile is weighted by a linear ramp over the overlap, and the
 * weighted sum is divided by the summed weights. Pure apart from the tile function it is given.
 */

/** A channel-planar [C, H, W] array. */
export interface Plane {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

/** One tile along one axis, in input coordinates. */
export interface TileSpan {
  readonly start: number;
  readonly size: number;
}

/**
 * The tiles along one axis of `length`: one tile when it fits, otherwise starts every `tile - overlap` (at least 1)
 * below `length - overlap`, plus one flush with the end when the last would fall short; each start is clamped to
 * `[0, length - overlap]` and each size to what remains.
 */
export function tileSpans(length: number, tile: number, overlap: number): TileSpan[] {
  if (!Number.isInteger(length) || length < 1) throw new Error(`cannot tile an axis of length ${length}`);
  if (!Number.isInteger(tile) || tile < 1) throw new Error(`the tile size must be a positive integer, not ${tile}`);
  if (!Number.isInteger(overlap) || overlap < 0) throw new Error(`the overlap must be ≥ 0, not ${overlap}`);
  if (length <= tile) return [{ start: 0, size: length }];
  const step = Math.max(1, tile - overlap);
  const starts: number[] = [];
  for (let p = 0; p < length - overlap; p += step) starts.push(p);
  // ComfyUI assumes at least one start here (length > overlap); an empty list starts at 0 instead of failing.
  if (starts.length === 0) starts.push(0);
  if (starts[starts.length - 1]! + tile < length) starts.push(length - tile);
  return starts.map((raw) => {
    const start = Math.max(0, Math.min(length - overlap, raw));
    return { start, size: Math.min(tile, length - start) };
  });
}

/** How many times the tile function runs for one item. */
export function tileCount(height: number, width: number, tileY: number, tileX: number, overlap: number): number {
  if (height <= tileY && width <= tileX) return 1;
  return tileSpans(height, tileY, overlap).length * tileSpans(width, tileX, overlap).length;
}

/**
 * Blend weights along one axis of an output tile: the first and last `feather` entries ramp (t + 1) / feather;
 * where the two ramps meet on a short tile their factors multiply, as ComfyUI's in-place mask does. A feather as
 * long as the tile (or longer) leaves the axis unweighted.
 */
export function featherWeights(length: number, feather: number): Float32Array {
  const weights = new Float32Array(length).fill(1);
  if (feather >= length) return weights;
  for (let t = 0; t < feather; t++) {
    const a = (t + 1) / feather;
    weights[t]! *= a;
    weights[length - 1 - t]! *= a;
  }
  return weights;
}

export interface TiledScaleOptions {
  readonly tileX: number;
  readonly tileY: number;
  readonly overlap: number;
  /** Output cells per input cell (the VAE's cell size to decode, its inverse to encode). */
  readonly scale: number;
  readonly outChannels: number;
}

function crop(input: Plane, y: TileSpan, x: TileSpan): Plane {
  const data = new Float32Array(input.channels * y.size * x.size);
  for (let c = 0; c < input.channels; c++) {
    for (let row = 0; row < y.size; row++) {
      const from = (c * input.height + y.start + row) * input.width + x.start;
      data.set(input.data.subarray(from, from + x.size), (c * y.size + row) * x.size);
    }
  }
  return { channels: input.channels, height: y.size, width: x.size, data };
}

/** Runs `run` over ComfyUI's tiles of one item and blends the results into an output `scale` times the size. */
export async function tiledScale(
  input: Plane,
  run: (tile: Plane) => Promise<Plane>,
  options: TiledScaleOptions,
  onTile?: () => void,
): Promise<Plane> {
  const { tileX, tileY, overlap, scale, outChannels } = options;
  const height = pythonRound(input.height * scale);
  const width = pythonRound(input.width * scale);
  if (input.height <= tileY && input.width <= tileX) {
    // One tile is the whole input: its output is used as it is, unweighted.
    const whole = await run(input);
    onTile?.();
    return whole;
  }
  const sum = new Float32Array(outChannels * height * width);
  const weight = new Float32Array(outChannels * height * width);
  const feather = pythonRound(overlap * scale);
  for (const y of tileSpans(input.height, tileY, overlap)) {
    for (const x of tileSpans(input.width, tileX, overlap)) {
      const out = await run(crop(input, y, x));
      if (out.channels !== outChannels)
        throw new Error(`a tile came back with ${out.channels} channels, not ${outChannels}`);
      const wy = featherWeights(out.height, feather);
      const wx = featherWeights(out.width, feather);
      const top = pythonRound(y.start * scale);
      const left = pythonRound(x.start * scale);
      // A tile reaching past the output (only with sizes off the VAE's cell) is cut at the edge.
      const rows = Math.min(out.height, height - top);
      const cols = Math.min(out.width, width - left);
      for (let c = 0; c < outChannels; c++) {
        for (let r = 0; r < rows; r++) {
          const source = (c * out.height + r) * out.width;
          const target = (c * height + top + r) * width + left;
          for (let k = 0; k < cols; k++) {
            const w = wy[r]! * wx[k]!;
            sum[target + k]! += out.data[source + k]! * w;
            weight[target + k]! += w;
          }
        }
      }
      onTile?.();
    }
  }
  for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! / weight[i]!;
  return { channels: outChannels, height, width, data: sum };
}

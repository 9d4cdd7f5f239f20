import type { RasterU8 } from '../../media/raster.js';
import { borderColour, foregroundMask } from './scene-checks.js';

/**
 * The release gates' reading of a generated 64×64 scene, as `training/inkgraph_train/vision.py` `measure` makes it:
 * the border colour, the speck-free foreground (scene-checks' mask), its size and grid cell, and the objects
 * counted as the connected regions of at least 20 differing pixels.
 */

/** A box of pixels, end exclusive. */
export interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

export interface SceneMeasure {
  readonly background: string;
  /** Regions (4-connected) of at least 20 pixels that differ from the border colour. */
  readonly components: number;
  /** The foreground's longer side is 30 pixels or more (the recipe draws 20 and 40). */
  readonly large: boolean;
  /** The grid cell (0 top left … 8 bottom right) whose centre, for the measured size, is nearest the foreground's. */
  readonly cell: number | undefined;
  /** The speck-free foreground's box (the evaluator's crop), undefined under 6 pixels. */
  readonly box: Box | undefined;
  /** The box of every differing pixel, specks included: what a `crop: foreground` classifier frames. */
  readonly rawBox: Box | undefined;
}

const OBJECT_PIXELS = 20;
const LARGE_SIDE = 30;

/** The sizes of the 4-connected regions of a mask, in scan order of their first pixel. */
export function regionSizes(mask: readonly boolean[], width: number, height: number): number[] {
  const seen = new Uint8Array(mask.length);
  const sizes: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    let size = 0;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const index = stack.pop()!;
      size += 1;
      const x = index % width;
      const neighbours = [x > 0 ? index - 1 : -1, x < width - 1 ? index + 1 : -1, index - width, index + width];
      for (const next of neighbours) {
        if (next >= 0 && next < width * height && mask[next] && !seen[next]) {
          seen[next] = 1;
          stack.push(next);
        }
      }
    }
    sizes.push(size);
  }
  return sizes;
}

/** The recipe's grid: an object of `pixels` sits a pixel from the edge, in the middle, or a pixel from the far edge. */
export function gridCentre(cell: number, pixels: number, canvas = 64): [number, number] {
  const margin = pixels / 2 + 1;
  const coords = [margin, canvas / 2, canvas - margin];
  return [coords[cell % 3]!, coords[Math.floor(cell / 3)]!];
}

/** The cell whose centre is nearest (cx, cy); the first on a tie, as Python's `min`. */
export function nearestCell(cx: number, cy: number, pixels: number, canvas = 64): number {
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let cell = 0; cell < 9; cell++) {
    const [x, y] = gridCentre(cell, pixels, canvas);
    const distance = (x - cx) ** 2 + (y - cy) ** 2;
    if (distance < bestDistance) [best, bestDistance] = [cell, distance];
  }
  return best;
}

function boxOf(mask: readonly boolean[], width: number): { box: Box; count: number } | undefined {
  let [x0, y0, x1, y1, count] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, -1, -1, 0];
  mask.forEach((inside, index) => {
    if (!inside) return;
    const x = index % width;
    const y = Math.floor(index / width);
    [x0, y0, x1, y1, count] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1), count + 1];
  });
  return count > 0 ? { box: { x0, y0, x1, y1 }, count } : undefined;
}

/** The pixels that differ from the border colour by more than 64 (summed over RGB), as scene-checks' mask. */
function differingPixels(raster: RasterU8): boolean[] {
  const { rgb } = borderColour(raster);
  const differs: boolean[] = [];
  for (let i = 0; i < raster.width * raster.height; i++) {
    const p = i * raster.channels;
    const distance =
      Math.abs(raster.data[p]! - rgb[0]) +
      Math.abs(raster.data[p + 1]! - rgb[1]) +
      Math.abs(raster.data[p + 2]! - rgb[2]);
    differs.push(distance > 64);
  }
  return differs;
}

export function measureScene(raster: RasterU8): SceneMeasure {
  const { width, height } = raster;
  const background = borderColour(raster).name;
  const differs = differingPixels(raster);
  const components = regionSizes(differs, width, height).filter((size) => size >= OBJECT_PIXELS).length;
  const raw = boxOf(differs, width);
  const foreground = boxOf(foregroundMask(raster), width);
  if (!foreground || foreground.count < 6)
    return { background, components, large: false, cell: undefined, box: undefined, rawBox: raw?.box };
  const { box } = foreground;
  const large = Math.max(box.x1 - box.x0, box.y1 - box.y0) >= LARGE_SIDE;
  // The nearest grid centre for the measured size: large objects sit close to the middle, so fixed thirds
  // would misplace them (the recipe's reason).
  const cell = nearestCell((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2, large ? 40 : 20, Math.max(width, height));
  return { background, components, large, cell, box, rawBox: raw?.box };
}

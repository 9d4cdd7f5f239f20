import type { RasterU8 } from '../../media/raster.js';

/** Model-free checks on a generated 64×64 scene, as the training recipe's evaluation makes them. */

export const COLOURS: Record<string, [number, number, number]> = {
  white: [245, 245, 245],
  black: [20, 20, 20],
  red: [220, 40, 40],
  orange: [245, 140, 30],
  yellow: [245, 220, 50],
  green: [50, 170, 70],
  blue: [40, 90, 220],
  purple: [140, 60, 190],
};

function pixel(raster: RasterU8, x: number, y: number): [number, number, number] {
  const i = (y * raster.width + x) * raster.channels;
  return [raster.data[i]!, raster.data[i + 1]!, raster.data[i + 2]!];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The named colour nearest to the median border pixel. */
export function borderColour(raster: RasterU8): { name: string; rgb: [number, number, number] } {
  const border: [number, number, number][] = [];
  for (let i = 0; i < raster.width; i++) border.push(pixel(raster, i, 0), pixel(raster, i, raster.height - 1));
  for (let i = 0; i < raster.height; i++) border.push(pixel(raster, 0, i), pixel(raster, raster.width - 1, i));
  const rgb: [number, number, number] = [0, 1, 2].map((c) => median(border.map((p) => p[c]!))) as [
    number,
    number,
    number,
  ];
  let best = 'white';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const [name, value] of Object.entries(COLOURS)) {
    const distance = value.reduce((sum, v, c) => sum + (v - rgb[c]!) ** 2, 0);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = name;
    }
  }
  return { name: best, rgb };
}

/**
 * The pixels that differ from the border colour, less isolated specks: regions of 1–2 pixels (4-connected) more
 * than 4 pixels from any larger region, such as a decoder's corner pixel (the training recipe's `measure` rule).
 */
export function foregroundMask(raster: RasterU8): boolean[] {
  const { rgb } = borderColour(raster);
  const { width, height } = raster;
  const differs: boolean[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = pixel(raster, x, y);
      differs.push(Math.abs(p[0] - rgb[0]) + Math.abs(p[1] - rgb[1]) + Math.abs(p[2] - rgb[2]) > 64);
    }
  }
  const solid = new Array<boolean>(differs.length).fill(false);
  const specks: number[][] = [];
  for (const region of connectedRegions(differs, width, height)) {
    if (region.length > 2) for (const index of region) solid[index] = true;
    else specks.push(region);
  }
  const mask = [...solid];
  const nearSolid = (index: number): boolean => {
    const x0 = index % width;
    const y0 = Math.floor(index / width);
    for (let y = Math.max(0, y0 - 4); y <= Math.min(height - 1, y0 + 4); y++) {
      for (let x = Math.max(0, x0 - 4); x <= Math.min(width - 1, x0 + 4); x++) if (solid[y * width + x]) return true;
    }
    return false;
  };
  for (const speck of specks) for (const index of speck) mask[index] = nearSolid(index);
  return mask;
}

function connectedRegions(mask: boolean[], width: number, height: number): number[][] {
  const seen = new Array<boolean>(mask.length).fill(false);
  const regions: number[][] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    const region: number[] = [];
    const stack = [start];
    seen[start] = true;
    while (stack.length > 0) {
      const index = stack.pop()!;
      region.push(index);
      const x = index % width;
      const neighbours = [x > 0 ? index - 1 : -1, x < width - 1 ? index + 1 : -1, index - width, index + width];
      for (const next of neighbours) {
        if (next >= 0 && next < width * height && mask[next] && !seen[next]) {
          seen[next] = true;
          stack.push(next);
        }
      }
    }
    regions.push(region);
  }
  return regions;
}

export type Third = 'start' | 'middle' | 'end';
export interface ForegroundPlace {
  /** Which third of the width (left, centre, right) and of the height (top, middle, bottom) holds its centre. */
  column: Third;
  row: Third;
  /** Its extent's longer side over the image's: small objects are about 0.3, large ones about 0.6. */
  extent: number;
}

/** Where the foreground's extent lies, or undefined when fewer than 6 pixels differ from the background. */
export function foregroundPlace(raster: RasterU8): ForegroundPlace | undefined {
  const mask = foregroundMask(raster);
  let [minX, minY, maxX, maxY, count] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, -1, -1, 0];
  mask.forEach((inside, index) => {
    if (!inside) return;
    const x = index % raster.width;
    const y = Math.floor(index / raster.width);
    [minX, minY, maxX, maxY, count] = [
      Math.min(minX, x),
      Math.min(minY, y),
      Math.max(maxX, x),
      Math.max(maxY, y),
      count + 1,
    ];
  });
  if (count < 6) return undefined;
  const third = (centre: number): Third => (centre < 0.4 ? 'start' : centre > 0.6 ? 'end' : 'middle');
  return {
    column: third((minX + maxX + 1) / 2 / raster.width),
    row: third((minY + maxY + 1) / 2 / raster.height),
    extent: Math.max(maxX - minX + 1, maxY - minY + 1) / Math.max(raster.width, raster.height),
  };
}

import type { RasterU8 } from '../../nodes/runtime/image.js';

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
  const rgb: [number, number, number] = [0, 1, 2].map((c) => median(border.map((p) => p[c]!))) as [number, number, number];
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

/** Which third (left/centre/right) holds the centre of the pixels that differ from the border colour. */
export function foregroundColumn(raster: RasterU8): 'left' | 'center' | 'right' | undefined {
  const { rgb } = borderColour(raster);
  let minX = Number.POSITIVE_INFINITY;
  let maxX = -1;
  let count = 0;
  for (let y = 0; y < raster.height; y++) {
    for (let x = 0; x < raster.width; x++) {
      const p = pixel(raster, x, y);
      if (Math.abs(p[0] - rgb[0]) + Math.abs(p[1] - rgb[1]) + Math.abs(p[2] - rgb[2]) > 64) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        count += 1;
      }
    }
  }
  if (count < 6) return undefined;
  const centre = (minX + maxX + 1) / 2 / raster.width;
  return centre < 0.4 ? 'left' : centre > 0.6 ? 'right' : 'center';
}

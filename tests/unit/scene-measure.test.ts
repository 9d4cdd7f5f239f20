import { describe, expect, it } from 'vitest';
import type { RasterU8 } from '../../media/raster.js';
import { gridCentre, measureScene, nearestCell, regionSizes } from '../helpers/scene-measure.js';

type Rgb = [number, number, number];
const BLUE: Rgb = [40, 90, 220];
const RED: Rgb = [220, 40, 40];
const WHITE: Rgb = [250, 250, 250];

/** A 64×64 blue scene with red rectangles [x0, y0, width, height] and single white pixels. */
function scene(rectangles: [number, number, number, number][], specks: [number, number][] = []): RasterU8 {
  const data = new Uint8Array(64 * 64 * 3);
  const paint = (x: number, y: number, rgb: Rgb): void => data.set(rgb, (y * 64 + x) * 3);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) paint(x, y, BLUE);
  for (const [x0, y0, w, h] of rectangles)
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) paint(x, y, RED);
  for (const [x, y] of specks) paint(x, y, WHITE);
  return { width: 64, height: 64, channels: 3, data };
}

describe('scene measure (the release gates’ reading)', () => {
  it('finds 4-connected regions, not diagonal ones', () => {
    // 3×3: a corner pixel touching an L of 3 only diagonally.
    const mask = [true, false, false, false, true, true, false, false, true];
    expect(regionSizes(mask, 3, 3)).toEqual([1, 3]);
    // Row ends do not wrap into the next row.
    expect(regionSizes([false, true, true, false], 2, 2)).toEqual([1, 1]);
  });

  it('places grid centres a pixel from the edge and in the middle, as the recipe draws them', () => {
    expect(gridCentre(0, 20)).toEqual([11, 11]);
    expect(gridCentre(4, 40)).toEqual([32, 32]);
    expect(gridCentre(8, 40)).toEqual([43, 43]);
    expect(gridCentre(5, 20)).toEqual([53, 32]);
    expect(nearestCell(50, 14, 20)).toBe(2);
    // Halfway between the left and middle centres (11 and 32): the first cell wins, as Python's min.
    expect(nearestCell(21.5, 32, 20)).toBe(3);
  });

  it('reads a small object at the bottom left as one object in cell 6', () => {
    const m = measureScene(scene([[1, 43, 20, 20]]));
    expect(m).toMatchObject({ background: 'blue', components: 1, large: false, cell: 6 });
    expect(m.box).toEqual({ x0: 1, y0: 43, x1: 21, y1: 63 });
  });

  it('reads positions by the grid for the measured size, where fixed thirds would differ', () => {
    // Large, centre x = 38: in the middle third (25.6–38.4) but nearer the large right centre (43) than 32.
    expect(measureScene(scene([[18, 12, 40, 40]]))).toMatchObject({ large: true, cell: 5, components: 1 });
    // Small, centre x = 24: in the left third but nearer the middle (32) than the small left centre (11).
    expect(measureScene(scene([[14, 22, 20, 20]]))).toMatchObject({ large: false, cell: 4, components: 1 });
  });

  it('counts two objects apart, and not specks or fragments under 20 pixels', () => {
    const two = scene([
      [4, 19, 26, 26],
      [34, 19, 26, 26],
    ]);
    expect(measureScene(two).components).toBe(2);
    const withFragment = scene([
      [4, 19, 26, 26],
      [40, 5, 4, 4],
    ]);
    expect(measureScene(withFragment).components).toBe(1);
  });

  it('keeps a far speck out of the box but in the raw box a foreground-crop classifier sees', () => {
    const m = measureScene(scene([[22, 22, 20, 20]], [[63, 0]]));
    expect(m.box).toEqual({ x0: 22, y0: 22, x1: 42, y1: 42 });
    expect(m.rawBox).toEqual({ x0: 22, y0: 0, x1: 64, y1: 42 });
    expect(m.components).toBe(1);
  });

  it('has no size or cell when nothing stands out', () => {
    expect(measureScene(scene([], [[10, 10]]))).toMatchObject({ components: 0, cell: undefined, box: undefined });
  });
});

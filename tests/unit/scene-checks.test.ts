import { describe, expect, it } from 'vitest';
import type { RasterU8 } from '../../media/raster.js';
import { borderColour, foregroundMask, foregroundPlace } from '../helpers/scene-checks.js';

/** A 64×64 blue scene with a red square (x0, y0, side) and single off-colour pixels at the given places. */
function scene(square: [number, number, number], specks: [number, number][] = []): RasterU8 {
  const data = new Uint8Array(64 * 64 * 3);
  const paint = (x: number, y: number, rgb: [number, number, number]): void => data.set(rgb, (y * 64 + x) * 3);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) paint(x, y, [40, 90, 220]);
  const [x0, y0, side] = square;
  for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) paint(x, y, [220, 40, 40]);
  for (const [x, y] of specks) paint(x, y, [250, 250, 250]);
  return { width: 64, height: 64, channels: 3, data };
}

describe('scene checks (the smoke test’s judge)', () => {
  it('reads the background, the third the object sits in and its extent', () => {
    const raster = scene([6, 40, 20]);
    expect(borderColour(raster).name).toBe('blue');
    expect(foregroundPlace(raster)).toEqual({ column: 'start', row: 'end', extent: 20 / 64 });
  });

  it('ignores a speck far from the object, such as a decoder’s corner pixel', () => {
    const raster = scene(
      [6, 22, 20],
      [
        [63, 63],
        [0, 0],
      ],
    );
    expect(foregroundPlace(raster)).toEqual({ column: 'start', row: 'middle', extent: 20 / 64 });
    expect(foregroundMask(raster)[63 * 64 + 63]).toBe(false);
  });

  it('keeps a loose fragment close to the object as part of it', () => {
    const raster = scene([6, 22, 20], [[28, 30]]);
    expect(foregroundMask(raster)[30 * 64 + 28]).toBe(true);
    expect(foregroundPlace(raster)?.extent).toBe(23 / 64);
  });

  it('reports no object when only specks differ', () => {
    expect(
      foregroundPlace(
        scene(
          [0, 0, 0],
          [
            [63, 63],
            [0, 63],
            [30, 30],
          ],
        ),
      ),
    ).toBeUndefined();
  });
});

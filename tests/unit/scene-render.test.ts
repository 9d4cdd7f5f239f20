import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../media/decode-image.js';
import type { RasterU8 } from '../../media/raster.js';
import { measureScene } from '../helpers/scene-measure.js';
import { renderScene, scaledSprite } from '../helpers/scene-render.js';
import { vocabularySchema } from '../helpers/scene-prompts.js';

const root = resolve(import.meta.dirname, '..', '..');
const vocabulary = vocabularySchema.parse(
  JSON.parse(readFileSync(join(root, 'models', 'diffusion', 'inkgraph-emoji', 'vocabulary.json'), 'utf8')),
);
const colours = vocabulary.colours.map((colour) => colour.rgb);

function sprite(id: number): RasterU8 {
  const name = `${String(id).padStart(2, '0')}.png`;
  const decoded = decodeImage(readFileSync(join(root, 'training', 'data', 'sprites', 'twitter', name)));
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.value.raster;
}
const sprites = vocabulary.objects.map((object) => sprite(object.id));

describe('real renders of the bench’s scenes', () => {
  it('scales a sprite’s alpha box so its longer side is the asked size', () => {
    const scaled = scaledSprite(sprites[0]!, 20);
    expect(Math.max(scaled.width, scaled.height)).toBe(20);
    // The corner of an apple's box is transparent, its middle opaque.
    expect(scaled.data[3]).toBeLessThan(0.1);
    const middle = (Math.floor(scaled.height / 2) * scaled.width + Math.floor(scaled.width / 2)) * 4;
    expect(scaled.data[middle + 3]).toBeGreaterThan(0.9);
  });

  it('draws a single object where and as large as asked, over the named colour', () => {
    // A large apple on blue at the top right (cell 2); a small one on green at the bottom (cell 7).
    const large = measureScene(
      renderScene({ kind: 'single', object: 0, colour: 6, size: 1, position: 2 }, sprites, colours),
    );
    expect(large).toMatchObject({ background: 'blue', large: true, cell: 2, components: 1 });
    const small = measureScene(
      renderScene({ kind: 'single', object: 0, colour: 5, size: 0, position: 7 }, sprites, colours),
    );
    expect(small).toMatchObject({ background: 'green', large: false, cell: 7, components: 1 });
    expect(small.box!.y1).toBe(63);
  });

  it('draws two objects apart, beside or stacked', () => {
    const beside = renderScene({ kind: 'pair', objects: [0, 1], colour: 0, relation: 'beside' }, sprites, colours);
    expect(measureScene(beside).components).toBe(2);
    const above = renderScene({ kind: 'pair', objects: [10, 11], colour: 6, relation: 'above' }, sprites, colours);
    const measured = measureScene(above);
    expect(measured.components).toBe(2);
    expect(measured.box!.y1 - measured.box!.y0).toBeGreaterThan(50);
  });
});

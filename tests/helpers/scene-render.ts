import type { RasterU8 } from '../../media/raster.js';
import { resizePixels, type PixelBatch } from '../../nodes/runtime/image/resize.js';
import { roundHalfEven } from '../../nodes/runtime/sampling/round-half-even.js';
import { gridCentre } from './scene-measure.js';
import type { Scene } from './scene-prompts.js';

/**
 * Real renders of the bench's scenes, composed as the training recipe composes them (`scenes.py` `render`): each
 * sprite cropped to its alpha box (alpha > 8), scaled so its longer side is 20 (small), 40 (large) or 26 (pairs)
 * pixels with Lanczos on premultiplied alpha (as PIL resizes RGBA), pasted at the grid centre or at the pair
 * layout's centres over the named background colour. The gates' checks on these show what the checks themselves
 * read on images that are right by construction.
 */

const CANVAS = 64;

function cropToAlpha(sprite: RasterU8): PixelBatch {
  const { width, height } = sprite;
  const alphaAt = (x: number, y: number): number =>
    sprite.channels === 4 ? sprite.data[(y * width + x) * 4 + 3]! : 255;
  let [x0, y0, x1, y1] = [width, height, 0, 0];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (alphaAt(x, y) > 8)
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
  const w = Math.max(0, x1 - x0);
  const h = Math.max(0, y1 - y0);
  const data = new Float32Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = ((y0 + y) * width + x0 + x) * sprite.channels;
      const alpha = alphaAt(x0 + x, y0 + y) / 255;
      // Premultiplied, so the transparent pixels' colour does not bleed into the edge when resampled.
      for (let c = 0; c < 3; c++) data[(y * w + x) * 4 + c] = (sprite.data[s + c]! / 255) * alpha;
      data[(y * w + x) * 4 + 3] = alpha;
    }
  }
  return { batch: 1, width: w, height: h, channels: 4, data };
}

/** A sprite with its longer side `size` pixels: premultiplied RGBA in 0..1. */
export function scaledSprite(sprite: RasterU8, size: number): PixelBatch {
  const cropped = cropToAlpha(sprite);
  const scale = size / Math.max(cropped.width, cropped.height);
  const width = Math.max(1, roundHalfEven(cropped.width * scale));
  const height = Math.max(1, roundHalfEven(cropped.height * scale));
  return resizePixels(cropped, width, height, 'lanczos', 'disabled');
}

function paste(canvas: Float32Array, sprite: PixelBatch, cx: number, cy: number): void {
  const x0 = roundHalfEven(cx - sprite.width / 2);
  const y0 = roundHalfEven(cy - sprite.height / 2);
  for (let y = Math.max(0, y0); y < Math.min(CANVAS, y0 + sprite.height); y++) {
    for (let x = Math.max(0, x0); x < Math.min(CANVAS, x0 + sprite.width); x++) {
      const s = ((y - y0) * sprite.width + x - x0) * 4;
      const alpha = sprite.data[s + 3]!;
      for (let c = 0; c < 3; c++) {
        const i = (y * CANVAS + x) * 3 + c;
        canvas[i] = canvas[i]! * (1 - alpha) + sprite.data[s + c]!;
      }
    }
  }
}

/** The scene as a 64×64 RGB raster; `sprites[id]` is object id's sprite, `colours[i]` background i's RGB. */
export function renderScene(
  scene: Scene,
  sprites: readonly RasterU8[],
  colours: readonly (readonly [number, number, number])[],
): RasterU8 {
  const canvas = new Float32Array(CANVAS * CANVAS * 3);
  const background = colours[scene.colour]!;
  for (let i = 0; i < CANVAS * CANVAS; i++) for (let c = 0; c < 3; c++) canvas[i * 3 + c] = background[c]! / 255;
  if (scene.kind === 'single') {
    const pixels = scene.size === 1 ? 40 : 20;
    const [cx, cy] = gridCentre(scene.position, pixels, CANVAS);
    paste(canvas, scaledSprite(sprites[scene.object]!, pixels), cx, cy);
  } else {
    const centres: [number, number][] =
      scene.relation === 'beside'
        ? [
            [17, 32],
            [47, 32],
          ]
        : [
            [32, 17],
            [32, 47],
          ];
    scene.objects.forEach((id, i) => paste(canvas, scaledSprite(sprites[id]!, 26), ...centres[i]!));
  }
  const data = new Uint8Array(canvas.length);
  for (let i = 0; i < canvas.length; i++) data[i] = Math.round(Math.min(1, Math.max(0, canvas[i]!)) * 255);
  return { width: CANVAS, height: CANVAS, channels: 3, data };
}

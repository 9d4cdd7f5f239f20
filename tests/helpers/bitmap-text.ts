import { createImageBatch } from '../../nodes/runtime/image/image-batch.js';
import type { ImageBatch } from '../../nodes/contract/socket-types.js';

/** A 5×7 bitmap font for drawing test text (dark on light) without a canvas library. */
const GLYPHS: Record<string, string[]> = {
  A: ['01110', '10001', '10001', '11111', '10001', '10001', '10001'],
  B: ['11110', '10001', '10001', '11110', '10001', '10001', '11110'],
  C: ['01110', '10001', '10000', '10000', '10000', '10001', '01110'],
  D: ['11110', '10001', '10001', '10001', '10001', '10001', '11110'],
  E: ['11111', '10000', '10000', '11110', '10000', '10000', '11111'],
  F: ['11111', '10000', '10000', '11110', '10000', '10000', '10000'],
  G: ['01110', '10001', '10000', '10111', '10001', '10001', '01111'],
  H: ['10001', '10001', '10001', '11111', '10001', '10001', '10001'],
  I: ['01110', '00100', '00100', '00100', '00100', '00100', '01110'],
  K: ['10001', '10010', '10100', '11000', '10100', '10010', '10001'],
  L: ['10000', '10000', '10000', '10000', '10000', '10000', '11111'],
  M: ['10001', '11011', '10101', '10101', '10001', '10001', '10001'],
  N: ['10001', '11001', '10101', '10011', '10001', '10001', '10001'],
  O: ['01110', '10001', '10001', '10001', '10001', '10001', '01110'],
  P: ['11110', '10001', '10001', '11110', '10000', '10000', '10000'],
  R: ['11110', '10001', '10001', '11110', '10100', '10010', '10001'],
  S: ['01111', '10000', '10000', '01110', '00001', '00001', '11110'],
  T: ['11111', '00100', '00100', '00100', '00100', '00100', '00100'],
  U: ['10001', '10001', '10001', '10001', '10001', '10001', '01110'],
  W: ['10001', '10001', '10001', '10101', '10101', '10101', '01010'],
  Y: ['10001', '10001', '01010', '00100', '00100', '00100', '00100'],
  ' ': ['00000', '00000', '00000', '00000', '00000', '00000', '00000'],
};

export interface TextBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Draws text at a pixel scale onto a light image; returns the image and the text's box. */
export function drawText(
  text: string,
  options: { width: number; height: number; x: number; y: number; scale: number; rotate180?: boolean },
): { image: ImageBatch; box: TextBox } {
  const image = createImageBatch(1, options.height, options.width, 3);
  image.data.fill(0.95);
  let cursor = options.x;
  for (const char of text.toUpperCase()) {
    const glyph = GLYPHS[char] ?? GLYPHS[' ']!;
    glyph.forEach((row, gy) => {
      [...row].forEach((bit, gx) => {
        if (bit !== '1') return;
        for (let dy = 0; dy < options.scale; dy++) {
          for (let dx = 0; dx < options.scale; dx++) {
            const x = cursor + gx * options.scale + dx;
            const y = options.y + gy * options.scale + dy;
            if (x < options.width && y < options.height)
              image.data.fill(0.08, (y * options.width + x) * 3, (y * options.width + x) * 3 + 3);
          }
        }
      });
    });
    cursor += 6 * options.scale;
  }
  const box = { x: options.x, y: options.y, width: cursor - options.x - options.scale, height: 7 * options.scale };
  if (options.rotate180) {
    const pixels = options.width * options.height;
    const rotated = new Float32Array(image.data.length);
    for (let p = 0; p < pixels; p++) rotated.set(image.data.subarray(p * 3, p * 3 + 3), (pixels - 1 - p) * 3);
    image.data.set(rotated);
    return {
      image,
      box: {
        x: options.width - box.x - box.width,
        y: options.height - box.y - box.height,
        width: box.width,
        height: box.height,
      },
    };
  }
  return { image, box };
}

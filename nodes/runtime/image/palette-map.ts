/**
 * Pillow's mapping of RGB pixels onto a palette (libImaging/Convert.c `topalette`, Palette.c's colour cache), as
 * `Image.quantize(palette=…)` runs it for ComfyUI's ImageQuantize. A colour that is exactly a palette entry takes
 * the first such entry; any other colour takes the entry nearest (squared RGB distance, the lowest index on ties)
 * to its cache cell's corner, the colour with the low two bits of each channel cleared.
 */
export class PaletteMapper {
  private readonly exact = new Map<number, number>();
  private readonly cache = new Int16Array(64 * 64 * 64).fill(-1);
  /** Cache cells holding some palette colour: only their colours need the exact look-up. */
  private readonly holdsEntry = new Uint8Array(64 * 64 * 64);

  constructor(readonly palette: Uint8Array) {
    for (let i = palette.length / 3 - 1; i >= 0; i--) {
      const [r, g, b] = [palette[i * 3]!, palette[i * 3 + 1]!, palette[i * 3 + 2]!];
      this.exact.set((r << 16) | (g << 8) | b, i);
      this.holdsEntry[(r >> 2) + (g >> 2) * 64 + (b >> 2) * 4096] = 1;
    }
  }

  /** The palette index for an 8-bit colour. */
  index(r: number, g: number, b: number): number {
    const slot = (r >> 2) + (g >> 2) * 64 + (b >> 2) * 4096;
    if (this.holdsEntry[slot]) {
      const exact = this.exact.get((r << 16) | (g << 8) | b);
      if (exact !== undefined) return exact;
    }
    let found = this.cache[slot]!;
    if (found < 0) {
      found = this.nearest(r & 0xfc, g & 0xfc, b & 0xfc);
      this.cache[slot] = found;
    }
    return found;
  }

  private nearest(r: number, g: number, b: number): number {
    const p = this.palette;
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let i = 0; i < p.length / 3; i++) {
      const dr = r - p[i * 3]!;
      const dg = g - p[i * 3 + 1]!;
      const db = b - p[i * 3 + 2]!;
      const distance = dr * dr + dg * dg + db * db;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = i;
      }
    }
    return best;
  }
}

function clip8(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

/** Each pixel's palette index, no dithering. `rgb` is packed 8-bit RGB, width × height. */
export function mapClosest(rgb: Uint8Array, mapper: PaletteMapper): Uint8Array {
  const out = new Uint8Array(rgb.length / 3);
  for (let i = 0; i < out.length; i++) out[i] = mapper.index(rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!);
  return out;
}

/**
 * Pillow's Floyd–Steinberg, integer for integer: errors in 16ths (7 right, 3 down-left, 5 down, 1 down-right),
 * divided with C's truncation, the error buffer kept from row to row, including the cell Pillow fills at each
 * row's end with the blue channel's running terms.
 */
export function mapFloydSteinberg(rgb: Uint8Array, width: number, height: number, mapper: PaletteMapper): Uint8Array {
  const out = new Uint8Array(width * height);
  const p = mapper.palette;
  const errors = new Int32Array((width + 1) * 3);
  for (let y = 0; y < height; y++) {
    // Per channel: the running error (7/16 to the right), then the two terms owed to the row below.
    const run = [0, 0, 0];
    const owed0 = [0, 0, 0];
    const owed1 = [0, 0, 0];
    for (let x = 0; x < width; x++) {
      const e = x * 3;
      const px = (y * width + x) * 3;
      const value = [0, 0, 0];
      for (let c = 0; c < 3; c++) value[c] = clip8(rgb[px + c]! + Math.trunc((run[c]! + errors[e + 3 + c]!) / 16));
      const index = mapper.index(value[0]!, value[1]!, value[2]!);
      out[y * width + x] = index;
      for (let c = 0; c < 3; c++) {
        const err = value[c]! - p[index * 3 + c]!;
        errors[e + c] = 3 * err + owed0[c]!;
        owed0[c] = 5 * err + owed1[c]!;
        owed1[c] = err;
        run[c] = 7 * err;
      }
    }
    // Pillow ends each row with e[0..2] = b0, b1, b2: blue's owed terms (b1 = b2 = its last error) in the extra
    // cell, which the next row's last pixel then reads for red, green and blue.
    const e = width * 3;
    errors[e] = owed0[2]!;
    errors[e + 1] = owed1[2]!;
    errors[e + 2] = owed1[2]!;
  }
  return out;
}

/** One image as 8-bit interleaved pixels, the form codecs read and write. */
export interface RasterU8 {
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  readonly data: Uint8Array;
}

/** True when every alpha value is 255, so the alpha channel carries nothing. */
export function isOpaque(raster: RasterU8): boolean {
  if (raster.channels === 3) return true;
  for (let i = 3; i < raster.data.length; i += 4) if (raster.data[i] !== 255) return false;
  return true;
}

export function toRgba(raster: RasterU8): Uint8Array {
  if (raster.channels === 4) return raster.data;
  const out = new Uint8Array(raster.width * raster.height * 4);
  for (let i = 0, j = 0; i < raster.data.length; i += 3, j += 4) {
    out[j] = raster.data[i]!;
    out[j + 1] = raster.data[i + 1]!;
    out[j + 2] = raster.data[i + 2]!;
    out[j + 3] = 255;
  }
  return out;
}

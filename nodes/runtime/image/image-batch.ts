import type { ImageBatch } from '../../contract/socket-types.js';
import type { RasterU8 } from '../../../media/raster.js';
export function createImageBatch(batch: number, height: number, width: number, channels: 3 | 4): ImageBatch {
  return { batch, height, width, channels, data: new Float32Array(batch * height * width * channels) };
}

export function imageItemSize(image: Pick<ImageBatch, 'height' | 'width' | 'channels'>): number {
  return image.height * image.width * image.channels;
}

/** The i-th image of a batch, as 8-bit pixels (values rounded and clamped like ComfyUI's `clip(255 * x)`). */
export function batchItemToRaster(image: ImageBatch, index: number): RasterU8 {
  const size = imageItemSize(image);
  const out = new Uint8Array(size);
  const offset = index * size;
  for (let i = 0; i < size; i++) {
    const value = image.data[offset + i]! * 255;
    out[i] = value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
  }
  return { width: image.width, height: image.height, channels: image.channels, data: out };
}

export function rasterToImageBatch(raster: RasterU8): ImageBatch {
  const image = createImageBatch(1, raster.height, raster.width, raster.channels);
  for (let i = 0; i < raster.data.length; i++) image.data[i] = raster.data[i]! / 255;
  return image;
}

/** Stacks images of one size into a batch; refuses mixed sizes with a reason. */
export function concatImageBatches(images: readonly ImageBatch[]): ImageBatch {
  const first = images[0];
  if (!first) throw new Error('cannot make a batch of zero images');
  for (const image of images) {
    if (image.width !== first.width || image.height !== first.height || image.channels !== first.channels) {
      throw new Error(
        `images in one batch must share a size: ${first.width}×${first.height}×${first.channels} vs ${image.width}×${image.height}×${image.channels}`,
      );
    }
  }
  const out = createImageBatch(
    images.reduce((sum, image) => sum + image.batch, 0),
    first.height,
    first.width,
    first.channels,
  );
  let offset = 0;
  for (const image of images) {
    out.data.set(image.data, offset);
    offset += image.data.length;
  }
  return out;
}

/** Drops the alpha channel (IMAGE outputs of loaders are RGB, as in ComfyUI). */
export function toRgbRaster(raster: RasterU8): RasterU8 {
  if (raster.channels === 3) return raster;
  const out = new Uint8Array(raster.width * raster.height * 3);
  for (let i = 0, j = 0; j < raster.data.length; i += 3, j += 4) {
    out[i] = raster.data[j]!;
    out[i + 1] = raster.data[j + 1]!;
    out[i + 2] = raster.data[j + 2]!;
  }
  return { width: raster.width, height: raster.height, channels: 3, data: out };
}

import type { PreviewImage } from '../nodes/contract/node-context.js';
import { latentToRgbPreview } from '../media/latent-preview.js';
import { encodeJpeg } from '../media/jpeg.js';
import { encodePng } from '../media/png.js';
import type { StepPreview } from './engine/engine-events.js';
import type { EncodedPreview } from './ws-hub.js';

export const MAX_PREVIEW_SIZE = 512;

/** Downscales (never upscales) an 8-bit image so its long side is at most `max`, by box averaging. */
export function fitPreview(image: PreviewImage, max = MAX_PREVIEW_SIZE): PreviewImage {
  const longSide = Math.max(image.width, image.height);
  if (longSide <= max) return image;
  const scale = max / longSide;
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const channels = image.channels;
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * image.height) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * image.height) / height));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor((x * image.width) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * image.width) / width));
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let sy = y0; sy < y1; sy++)
          for (let sx = x0; sx < x1; sx++) sum += image.data[(sy * image.width + sx) * channels + c]!;
        data[(y * width + x) * channels + c] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
      }
    }
  }
  return { width, height, channels, data };
}

/** A preview as the wire carries it: JPEG, long side at most 512 px. */
export function encodePreview(image: PreviewImage): { mimeType: 'image/jpeg'; bytes: Uint8Array } {
  const fitted = fitPreview(image);
  return { mimeType: 'image/jpeg', bytes: new Uint8Array(encodeJpeg(fitted, 90)) };
}

/** A full-size image as a PNG frame (fast compression), as ComfyUI's SaveImageWebsocket sends it. */
export function encodeFullImage(image: PreviewImage): { mimeType: 'image/png'; bytes: Uint8Array } {
  return { mimeType: 'image/png', bytes: new Uint8Array(encodePng(image, { compressionLevel: 1 })) };
}

/** The frame for a progress event's preview: full-size images as PNG; step previews (pixels or latents) as JPEG. */
export function encodeStepPreview(preview: StepPreview): EncodedPreview {
  switch (preview.kind) {
    case 'image':
      return encodeFullImage(preview.image);
    case 'preview':
      return encodePreview(preview.image);
    case 'latent':
      return encodePreview(latentToRgbPreview(preview.latent, preview.latent.latentRgb));
    case 'encoded':
      return { mimeType: preview.mimeType, bytes: preview.bytes };
  }
}

/** Whether a slow client may miss the frame: step previews may be dropped, a node's streamed images may not. */
export function isDroppablePreview(preview: StepPreview): boolean {
  return preview.kind === 'encoded' ? preview.droppable : preview.kind !== 'image';
}

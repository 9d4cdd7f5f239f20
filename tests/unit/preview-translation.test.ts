import { describe, expect, it } from 'vitest';
import type { LatentPreview, PreviewImage } from '../../nodes/contract/node-context.js';
import { stepPreviewOf } from '../../server/worker/step-preview.js';

const image: PreviewImage = { width: 2, height: 1, channels: 3, data: new Uint8Array(6) };
const other: PreviewImage = { width: 1, height: 1, channels: 3, data: new Uint8Array(3) };
const latent: LatentPreview = {
  channels: 4,
  height: 1,
  width: 1,
  data: new Float32Array(4),
  latentRgb: { factors: [], bias: [0, 0, 0] },
};

describe('a progress update’s preview, as the engine sends it', () => {
  it('streams a full-size image whatever the preview method, before any step preview', () => {
    for (const method of ['none', 'latent2rgb', 'vae'] as const)
      expect(stepPreviewOf({ value: 1, max: 2, image, preview: other, latentPreview: latent }, method)).toEqual({
        kind: 'image',
        image,
      });
  });

  it('sends a step preview, pixels before a latent, unless previews are off', () => {
    expect(stepPreviewOf({ value: 1, max: 2, preview: image, latentPreview: latent }, 'vae')).toEqual({
      kind: 'preview',
      image,
    });
    expect(stepPreviewOf({ value: 1, max: 2, latentPreview: latent }, 'latent2rgb')).toEqual({
      kind: 'latent',
      latent,
    });
    expect(stepPreviewOf({ value: 1, max: 2, preview: image, latentPreview: latent }, 'none')).toBeUndefined();
  });

  it('carries none for a plain progress step', () => {
    expect(stepPreviewOf({ value: 1, max: 2 }, 'latent2rgb')).toBeUndefined();
    expect(stepPreviewOf({ value: 1, max: 2 }, 'none')).toBeUndefined();
  });
});

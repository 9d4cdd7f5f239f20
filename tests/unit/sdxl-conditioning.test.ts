import { describe, expect, it } from 'vitest';
import { sdxlTimeIds } from '../../nodes/runtime/diffusion/sdxl-conditioning.js';

const latent = { width: 832, height: 1216 };

describe('sdxlTimeIds (ComfyUI SDXL / SDXLRefiner encode_adm)', () => {
  it('base: every value from CLIPTextEncodeSDXL, in the order height, width, crop_h, crop_w, targets', () => {
    const ids = sdxlTimeIds(
      'sdxl',
      { sdxlSize: { width: 1024, height: 768, cropW: 16, cropH: 32, targetWidth: 2048, targetHeight: 1536 } },
      latent,
      'positive',
    );
    expect([...ids]).toEqual([768, 1024, 32, 16, 1536, 2048]);
  });

  it('base: plain CLIPTextEncode conditioning takes the latent pixel size, crop 0, targets = size', () => {
    expect([...sdxlTimeIds('sdxl', {}, latent, 'positive')]).toEqual([1216, 832, 0, 0, 1216, 832]);
    expect([...sdxlTimeIds('sdxl', {}, latent, 'negative')]).toEqual([1216, 832, 0, 0, 1216, 832]);
  });

  it('base: targets default to the given width and height, not the latent size', () => {
    expect([...sdxlTimeIds('sdxl', { sdxlSize: { width: 640, height: 480 } }, latent, 'positive')]).toEqual([
      480, 640, 0, 0, 480, 640,
    ]);
  });

  it('refiner: height, width, crop_h, crop_w, aesthetic score; the score defaults by prompt side', () => {
    expect([...sdxlTimeIds('sdxl-refiner', {}, latent, 'positive')]).toEqual([1216, 832, 0, 0, 6]);
    expect([...sdxlTimeIds('sdxl-refiner', {}, latent, 'negative')]).toEqual([1216, 832, 0, 0, 2.5]);
    expect([
      ...sdxlTimeIds(
        'sdxl-refiner',
        { aestheticScore: 3.25, sdxlSize: { width: 512, height: 256 } },
        latent,
        'negative',
      ),
    ]).toEqual([256, 512, 0, 0, 3.25]);
  });

  it('an explicit score of 0 is kept (not replaced by the default)', () => {
    expect(sdxlTimeIds('sdxl-refiner', { aestheticScore: 0 }, latent, 'positive')[4]).toBe(0);
  });
});

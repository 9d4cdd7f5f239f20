import { describe, expect, it } from 'vitest';
import { AUTO_PREVIEW_SHARE, autoPreviewChoice } from '../../nodes/runtime/diffusion/auto-preview.js';

describe('the auto preview method', () => {
  it('decodes with the VAE when a decode takes at most a quarter of a step, latent→RGB otherwise', () => {
    expect(AUTO_PREVIEW_SHARE).toBe(0.25);
    expect(autoPreviewChoice(1.4, 7)).toBe('vae'); // the shipped model at 64×64
    expect(autoPreviewChoice(2, 8)).toBe('vae');
    expect(autoPreviewChoice(2.1, 8)).toBe('latent2rgb');
    expect(autoPreviewChoice(4000, 1500)).toBe('latent2rgb'); // SD 1.5 at 512×512 on a CPU
  });
});

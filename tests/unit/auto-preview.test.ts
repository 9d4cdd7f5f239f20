import { describe, expect, it } from 'vitest';
import { AUTO_PREVIEW_SHARE, autoPreviewChoice } from '../../nodes/runtime/diffusion/auto-preview.js';

describe('the auto preview method', () => {
  it('decodes with the VAE when a decode takes at most 2% of a step, latent→RGB otherwise', () => {
    expect(AUTO_PREVIEW_SHARE).toBe(0.02);
    expect(autoPreviewChoice(1.4, 6)).toBe('latent2rgb'); // the shipped model at 64×64
    expect(autoPreviewChoice(0.16, 8)).toBe('vae');
    expect(autoPreviewChoice(0.17, 8)).toBe('latent2rgb');
    expect(autoPreviewChoice(2, 100)).toBe('vae');
    expect(autoPreviewChoice(4000, 1500)).toBe('latent2rgb'); // SD 1.5 at 512×512 on a CPU
  });
});

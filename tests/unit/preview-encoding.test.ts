import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../media/decode-image.js';
import { SD15_LATENT_RGB } from '../../nodes/runtime/diffusion/pipeline-loader.js';
import { encodeStepPreview, fitPreview } from '../../server/preview-encoding.js';

function decoded(bytes: Uint8Array) {
  const result = decodeImage(bytes);
  if (!result.ok) throw new Error(result.reason);
  return result.value.raster;
}

describe('step preview frames', () => {
  it('renders a latent preview with Latent2RGB, then JPEG at latent size', () => {
    // Every pixel: channel 0 at +1, the rest 0 → rgb = factors[0] + bias, mapped from −1…1 to 0…255.
    const data = new Float32Array(4 * 8 * 8);
    data.fill(1, 0, 64);
    const frame = encodeStepPreview({
      kind: 'latent',
      latent: { channels: 4, height: 8, width: 8, data, latentRgb: SD15_LATENT_RGB },
    });
    expect(frame.mimeType).toBe('image/jpeg');
    const image = decoded(frame.bytes);
    expect([image.width, image.height]).toEqual([8, 8]);
    const expected = SD15_LATENT_RGB.factors[0]!.map(
      (factor, c) => ((factor + SD15_LATENT_RGB.bias[c]! + 1) / 2) * 255,
    );
    for (let c = 0; c < 3; c++)
      expect(Math.abs(image.data[(4 * 8 + 4) * image.channels + c]! - expected[c]!)).toBeLessThanOrEqual(3);
  });

  it('clamps Latent2RGB colours outside −1…1', () => {
    const data = new Float32Array(4 * 8 * 8);
    data.fill(40, 0, 64);
    const image = decoded(
      encodeStepPreview({
        kind: 'latent',
        latent: { channels: 4, height: 8, width: 8, data, latentRgb: SD15_LATENT_RGB },
      }).bytes,
    );
    const signs = SD15_LATENT_RGB.factors[0]!.map((factor) => (factor > 0 ? 255 : 0));
    for (let c = 0; c < 3; c++) expect(Math.abs(image.data[c]! - signs[c]!)).toBeLessThanOrEqual(2);
  });

  it('refuses a latent whose factors do not match its channels', () => {
    const latent = { channels: 3, height: 2, width: 2, data: new Float32Array(12), latentRgb: SD15_LATENT_RGB };
    expect(() => encodeStepPreview({ kind: 'latent', latent })).toThrow(/factors for 4 channels, the latent has 3/);
  });

  it('sends pixel previews as JPEG fitted to 512 px and full images as PNG at full size', () => {
    const image = { width: 1024, height: 256, channels: 3 as const, data: new Uint8Array(1024 * 256 * 3).fill(200) };
    const preview = decoded(encodeStepPreview({ kind: 'preview', image }).bytes);
    expect([preview.width, preview.height]).toEqual([512, 128]);
    const full = encodeStepPreview({ kind: 'image', image });
    expect(full.mimeType).toBe('image/png');
    expect([decoded(full.bytes).width, decoded(full.bytes).height]).toEqual([1024, 256]);
    expect(fitPreview(image, 2048)).toBe(image);
  });
});

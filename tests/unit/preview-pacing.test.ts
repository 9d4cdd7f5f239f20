import { describe, expect, it } from 'vitest';
import { SD15_LATENT_RGB } from '../../nodes/runtime/diffusion/pipeline-loader.js';
import type { StepPreview } from '../../server/engine/engine-events.js';
import { PREVIEW_MAX_LAG_MS, shouldSendPreview } from '../../server/preview-pacing.js';

const image = { width: 2, height: 2, channels: 3 as const, data: new Uint8Array(12) };
const latent: StepPreview = {
  kind: 'latent',
  latent: { channels: 4, height: 2, width: 2, data: new Float32Array(16), latentRgb: SD15_LATENT_RGB },
};
const pixels: StepPreview = { kind: 'preview', image };
const streamed: StepPreview = { kind: 'image', image };
const now = 1_000_000;

describe('step previews while the main thread is behind the engine', () => {
  it('sends every step preview while it keeps up, up to the allowed lag', () => {
    for (const preview of [latent, pixels]) {
      expect(shouldSendPreview(preview, { value: 3, max: 20, reportedAt: now }, now)).toBe(true);
      expect(shouldSendPreview(preview, { value: 3, max: 20, reportedAt: now - PREVIEW_MAX_LAG_MS }, now)).toBe(true);
    }
  });

  it('skips a stale step preview, but never the last step or a streamed full-size image', () => {
    const stale = now - PREVIEW_MAX_LAG_MS - 1;
    expect(shouldSendPreview(latent, { value: 3, max: 20, reportedAt: stale }, now)).toBe(false);
    expect(shouldSendPreview(pixels, { value: 19, max: 20, reportedAt: stale }, now)).toBe(false);
    expect(shouldSendPreview(latent, { value: 20, max: 20, reportedAt: stale }, now)).toBe(true);
    expect(shouldSendPreview(streamed, { value: 1, max: 4, reportedAt: now - 60_000 }, now)).toBe(true);
  });

  it('takes the allowed lag from the server (tests allow any, so their preview counts do not depend on load)', () => {
    const late = { value: 3, max: 20, reportedAt: now - 5_000 };
    expect(shouldSendPreview(latent, late, now, 10_000)).toBe(true);
    expect(shouldSendPreview(latent, late, now, 1_000)).toBe(false);
    expect(shouldSendPreview(latent, late, now, Number.POSITIVE_INFINITY)).toBe(true);
  });
});

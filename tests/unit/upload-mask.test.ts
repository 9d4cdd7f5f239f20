import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_IMAGE_LIMITS } from '../../media/image-limits.js';
import { decodeImage } from '../../media/decode-image.js';
import { encodePng } from '../../media/png.js';
import { mergeMaskAlpha } from '../../server/media/mask-merge.js';
import { parseOriginalRef } from '../../server/original-ref.js';

describe('parseOriginalRef', () => {
  it('reads filename, subfolder and type, "output" by default, the annotation first', () => {
    expect(parseOriginalRef('{"filename":"a.png"}')).toEqual({
      ok: true,
      value: { filename: 'a.png', subfolder: '', type: 'output' },
    });
    expect(parseOriginalRef('{"filename":"a.png","subfolder":"s","type":"input"}')).toMatchObject({
      value: { filename: 'a.png', subfolder: 's', type: 'input' },
    });
    expect(parseOriginalRef('{"filename":"a.png [temp]","type":"input"}')).toMatchObject({
      value: { filename: 'a.png', type: 'temp' },
    });
  });

  it('refuses a missing or malformed reference, naming the field', () => {
    for (const [text, field] of [
      [undefined, 'original_ref'],
      ['not json', 'original_ref'],
      ['[1]', 'original_ref'],
      ['{}', 'original_ref.filename'],
      ['{"filename":3}', 'original_ref.filename'],
      ['{"filename":"a.png","subfolder":[]}', 'original_ref.subfolder'],
      ['{"filename":"a.png","type":1}', 'original_ref.type'],
    ] as const) {
      const parsed = parseOriginalRef(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toContain(field);
    }
  });
});

describe('mergeMaskAlpha', () => {
  const folder = mkdtempSync(join(tmpdir(), 'inkgraph-mask-'));
  const original = join(folder, 'original.png');
  // A 2×1 RGB original carrying a workflow, and an RGBA mask whose alpha is 10 and 200.
  writeFileSync(
    original,
    encodePng(
      { width: 2, height: 1, channels: 3, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) },
      { text: { workflow: '{"nodes":[]}' } },
    ),
  );
  const mask = encodePng({
    width: 2,
    height: 1,
    channels: 4,
    data: Uint8Array.from([0, 0, 0, 10, 9, 9, 9, 200]),
  });

  it("keeps the original's colours and text, with the mask's alpha", () => {
    const merged = mergeMaskAlpha(original, 'original.png', mask, 'mask.png', DEFAULT_IMAGE_LIMITS);
    expect(merged.ok).toBe(true);
    if (!merged.ok) return;
    const decoded = decodeImage(merged.value.bytes);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect([...decoded.value.raster.data]).toEqual([1, 2, 3, 10, 4, 5, 6, 200]);
    expect(decoded.value.text).toEqual({ workflow: '{"nodes":[]}' });
  });

  it('refuses a mask of another size, and a mask that is not an image', () => {
    const small = encodePng({ width: 1, height: 1, channels: 4, data: Uint8Array.from([0, 0, 0, 1]) });
    expect(mergeMaskAlpha(original, 'original.png', small, 'mask.png', DEFAULT_IMAGE_LIMITS)).toMatchObject({
      ok: false,
      reason: { status: 400, type: 'mask_size_mismatch' },
    });
    expect(
      mergeMaskAlpha(original, 'original.png', Buffer.from('nope'), 'mask.png', DEFAULT_IMAGE_LIMITS),
    ).toMatchObject({ ok: false, reason: { status: 400, type: 'not_an_image' } });
  });
});

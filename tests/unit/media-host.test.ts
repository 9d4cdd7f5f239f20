import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_IMAGE_LIMITS } from '../../media/image-limits.js';
import { decodeImage } from '../../media/decode-image.js';
import { encodePng } from '../../media/png.js';
import { MediaHost } from '../../server/media/media-host.js';
import { makeTestEnv } from '../helpers/env.js';
import { claimedSizePng, textBombPng } from '../helpers/hostile-images.js';

const env = makeTestEnv();
const media = new MediaHost(DEFAULT_IMAGE_LIMITS);
afterAll(async () => {
  await media.close();
  env.cleanup();
});

const png = encodePng({
  width: 3,
  height: 2,
  channels: 4,
  data: Uint8Array.from({ length: 24 }, (_, i) => (i % 4 === 3 ? 128 : 200)),
});

describe('MediaHost (the media worker)', () => {
  it('checks uploads in the worker, in order, and leaves the caller its bytes', async () => {
    const results = await Promise.all([
      media.checkUpload(png, 'a.png'),
      media.checkUpload(textBombPng(64), 'b.png'),
      media.checkUpload(Uint8Array.from([1, 2]), 'c.png'),
    ]);
    expect(results[0]).toEqual({ ok: true, value: undefined });
    expect(results[1]).toMatchObject({ ok: false, reason: { status: 413, type: 'image_text_too_large' } });
    expect(results[2]).toMatchObject({ ok: false, reason: { status: 400, type: 'not_an_image' } });
    expect(decodeImage(png).ok).toBe(true);
  });

  it('converts files for /view, and refuses what cannot be read or is too large', async () => {
    writeFileSync(join(env.outputDir, 'pic.png'), png);
    writeFileSync(join(env.outputDir, 'huge.png'), claimedSizePng(16000, 16000));
    const alpha = await media.convertForView(join(env.outputDir, 'pic.png'), 'pic.png', {
      kind: 'channel',
      channel: 'a',
    });
    const decoded = alpha.ok ? decodeImage(alpha.value.bytes) : undefined;
    expect(decoded?.ok && Array.from(decoded.value.raster.data.subarray(0, 4))).toEqual([128, 128, 128, 255]);
    const jpeg = await media.convertForView(join(env.outputDir, 'pic.png'), 'pic.png', {
      kind: 'preview',
      quality: 80,
    });
    expect(jpeg.ok && jpeg.value.contentType).toBe('image/jpeg');
    expect(
      await media.convertForView(join(env.outputDir, 'huge.png'), 'huge.png', { kind: 'preview', quality: 80 }),
    ).toMatchObject({ ok: false, reason: { status: 413, type: 'image_too_large' } });
    expect(
      await media.convertForView(join(env.outputDir, 'gone.png'), 'gone.png', { kind: 'preview', quality: 80 }),
    ).toMatchObject({ ok: false, reason: { status: 404, type: 'not_found' } });
  });

  it('fails what it holds when closed, and refuses new work after', async () => {
    const closing = new MediaHost(DEFAULT_IMAGE_LIMITS);
    const held = expect(closing.checkUpload(png, 'a.png')).rejects.toThrow('the server is closing');
    await closing.close();
    await held;
    await expect(closing.checkUpload(png, 'a.png')).rejects.toThrow('the server is closing');
  });
});

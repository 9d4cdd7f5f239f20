import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { copyFixtureModels, textToImage } from '../helpers/diffusion.js';
import { postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';
import { runToHistory, savedImages } from '../helpers/workflow-run.js';
import type { RasterU8 } from '../../media/raster.js';

let server: TestServer;
let socket: TestSocket;

beforeAll(async () => {
  server = await startTestServer();
  copyFixtureModels(server.dirs.modelsDir);
  socket = await TestSocket.open(server.url, 'tiled');
});
afterAll(async () => {
  socket.close();
  await server.stop();
});

function run(prompt: ApiPrompt): Promise<HistoryEntry> {
  return runToHistory(server, socket, prompt);
}

type Decoded = RasterU8;

function saved(entry: HistoryEntry, node: string): Decoded {
  const [image] = savedImages(server, entry, node);
  if (!image) throw new Error(`node ${node} saved no image`);
  return image;
}

/** Largest per-channel difference (0–255) between two images of one size. */
function maxDifference(a: Decoded, b: Decoded): number {
  expect([a.width, a.height, a.channels]).toEqual([b.width, b.height, b.channels]);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!));
  return worst;
}

function spread(image: Decoded): number {
  let low = 255;
  let high = 0;
  for (const v of image.data) {
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  return high - low;
}

describe('VAEDecodeTiled and VAEEncodeTiled through the server', () => {
  it('a tiled decode equals the whole decode, and a tiled encode → tiled decode round trip equals the untiled one', async () => {
    // 128 px is 16×16 latent cells; tile_size 64 is 8 cells with the overlap capped to 16 px (2 cells), so all
    // three tilings (4×16, 16×4, 8×8 cells) have several tiles and overlaps to blend.
    const prompt: ApiPrompt = {
      ...textToImage({ size: 128, steps: 3, prefix: 'whole' }),
      tiled: {
        class_type: 'VAEDecodeTiled',
        inputs: {
          samples: ['3', 0],
          vae: ['4', 2],
          tile_size: 64,
          overlap: 32,
          temporal_size: 64,
          temporal_overlap: 8,
        },
      },
      tiledSave: { class_type: 'SaveImage', inputs: { images: ['tiled', 0], filename_prefix: 'tiled' } },
      // Round trips of the whole decode: untiled, and tiled both ways (encoder tiles in pixels: 128×128 in one,
      // 256×64 and 64×256 in three each, overlapping 32 px).
      enc: { class_type: 'VAEEncode', inputs: { pixels: ['8', 0], vae: ['4', 2] } },
      dec: { class_type: 'VAEDecode', inputs: { samples: ['enc', 0], vae: ['4', 2] } },
      decSave: { class_type: 'SaveImage', inputs: { images: ['dec', 0], filename_prefix: 'roundtrip' } },
      encTiled: {
        class_type: 'VAEEncodeTiled',
        inputs: {
          pixels: ['8', 0],
          vae: ['4', 2],
          tile_size: 128,
          overlap: 32,
          temporal_size: 64,
          temporal_overlap: 8,
        },
      },
      decTiled: {
        class_type: 'VAEDecodeTiled',
        inputs: {
          samples: ['encTiled', 0],
          vae: ['4', 2],
          tile_size: 64,
          overlap: 32,
          temporal_size: 64,
          temporal_overlap: 8,
        },
      },
      decTiledSave: {
        class_type: 'SaveImage',
        inputs: { images: ['decTiled', 0], filename_prefix: 'roundtrip-tiled' },
      },
    };
    const entry = await run(prompt);
    const whole = saved(entry, '9');
    const tiled = saved(entry, 'tiledSave');
    expect([tiled.width, tiled.height]).toEqual([128, 128]);
    expect(spread(whole)).toBeGreaterThan(32);
    // The fixture VAE decodes each latent cell on its own (nearest upsample, 1×1 conv, tanh), so the tiles agree
    // with the whole decode everywhere, overlaps included: only float rounding before 8-bit quantisation remains.
    expect(maxDifference(whole, tiled)).toBeLessThanOrEqual(1);
    const roundTrip = saved(entry, 'decSave');
    const roundTripTiled = saved(entry, 'decTiledSave');
    expect(spread(roundTrip)).toBeGreaterThan(16);
    expect(maxDifference(roundTrip, roundTripTiled)).toBeLessThanOrEqual(1);
  });

  it('decodes every item of a batch', async () => {
    const prompt: ApiPrompt = {
      ckpt: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'tiny-sd-fp32' } },
      empty: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
      repeat: { class_type: 'RepeatLatentBatch', inputs: { samples: ['empty', 0], amount: 2 } },
      tiled: {
        class_type: 'VAEDecodeTiled',
        inputs: {
          samples: ['repeat', 0],
          vae: ['ckpt', 2],
          tile_size: 64,
          overlap: 0,
          temporal_size: 64,
          temporal_overlap: 8,
        },
      },
      save: { class_type: 'SaveImage', inputs: { images: ['tiled', 0], filename_prefix: 'batch' } },
    };
    const entry = await run(prompt);
    const image = saved(entry, 'save');
    expect([image.width, image.height]).toEqual([64, 64]);
    expect(entry.outputs.save?.images).toHaveLength(2);
  });

  it('names the node when an image is smaller than the VAE cell', async () => {
    const prompt: ApiPrompt = {
      ckpt: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'tiny-sd-fp32' } },
      image: { class_type: 'EmptyImage', inputs: { width: 4, height: 4, batch_size: 1, color: 0 } },
      enc: {
        class_type: 'VAEEncodeTiled',
        inputs: {
          pixels: ['image', 0],
          vae: ['ckpt', 2],
          tile_size: 512,
          overlap: 64,
          temporal_size: 64,
          temporal_overlap: 8,
        },
      },
      dec: { class_type: 'VAEDecode', inputs: { samples: ['enc', 0], vae: ['ckpt', 2] } },
      save: { class_type: 'SaveImage', inputs: { images: ['dec', 0], filename_prefix: 'small' } },
    };
    const response = await postJson(`${server.url}/prompt`, { prompt, client_id: 'tiled' });
    expect(response.status, JSON.stringify(response.json)).toBe(200);
    const messages = await socket.waitForEnd((response.json as { prompt_id: string }).prompt_id);
    const error = messages.find((m) => m.type === 'execution_error');
    expect(JSON.stringify(error)).toMatch(/VAEEncodeTiled: the image \(4×4\) is smaller than the VAE's 8-pixel cell/);
  });
});

import { describe, expect, it } from 'vitest';
import { pythonRound } from '../../nodes/runtime/image/python-round.js';
import {
  featherWeights,
  tileCount,
  tiledScale,
  tileSpans,
  type Plane,
} from '../../nodes/runtime/diffusion/tile-plan.js';
import { tiledSteps } from '../../nodes/runtime/diffusion/vae-tiled.js';
import { decodeTileSettings } from '../../nodes/latent/vae-decode-tiled.js';
import { VAEDecodeTiled } from '../../nodes/latent/vae-decode-tiled.js';
import { VAEEncodeTiled } from '../../nodes/latent/vae-encode-tiled.js';

describe('tile plan (ComfyUI tiled_scale_multidim)', () => {
  it('rounds halves to even, as Python does', () => {
    expect([0.5, 1.5, 2.5, 2.4, 2.6, -0.5].map(pythonRound)).toEqual([0, 2, 2, 2, 3, 0]);
  });

  it('uses one tile when the axis fits', () => {
    expect(tileSpans(64, 64, 8)).toEqual([{ start: 0, size: 64 }]);
    expect(tileSpans(10, 64, 8)).toEqual([{ start: 0, size: 10 }]);
  });

  it('steps by tile - overlap below length - overlap and adds a tile flush with the end', () => {
    // range(0, 100 - 8, 24) = 0, 24, 48, 72; 72 + 32 >= 100 so no extra tile; 72 clamps its size to 28.
    expect(tileSpans(100, 32, 8)).toEqual([
      { start: 0, size: 32 },
      { start: 24, size: 32 },
      { start: 48, size: 32 },
      { start: 72, size: 28 },
    ]);
    // range(0, 16 - 2, 2) with tile 4: 0..12; 12 + 4 >= 16.
    expect(tileSpans(16, 4, 2).map((s) => s.start)).toEqual([0, 2, 4, 6, 8, 10, 12]);
    // range(0, 40 - 0, 32) = 0, 32; 32 + 32 >= 40; the last is cut to 8.
    expect(tileSpans(40, 32, 0)).toEqual([
      { start: 0, size: 32 },
      { start: 32, size: 8 },
    ]);
    // An overlap at least the tile steps by 1; the flush tile (4) clamps to length - overlap (2).
    expect(tileSpans(6, 2, 4).map((s) => s.start)).toEqual([0, 1, 2]);
  });

  it('covers every index of the axis', () => {
    for (const [length, tile, overlap] of [
      [100, 32, 8],
      [17, 4, 1],
      [64, 16, 16],
      [33, 8, 2],
    ] as const) {
      const covered = new Array<boolean>(length).fill(false);
      for (const s of tileSpans(length, tile, overlap)) for (let i = 0; i < s.size; i++) covered[s.start + i] = true;
      expect(covered.every(Boolean)).toBe(true);
    }
  });

  it('counts tiles as the product of the two axes, one when both fit', () => {
    expect(tileCount(8, 8, 8, 8, 2)).toBe(1);
    expect(tileCount(16, 8, 4, 16, 2)).toBe(7);
    expect(tileCount(16, 16, 8, 8, 2)).toBe(9);
  });

  it('rejects tiles and overlaps that cannot be planned', () => {
    expect(() => tileSpans(16, 0, 2)).toThrow(/tile size/);
    expect(() => tileSpans(16, 4, -1)).toThrow(/overlap/);
  });
});

describe('feather weights', () => {
  it('ramps (t + 1) / feather at both ends', () => {
    expect(Array.from(featherWeights(8, 2))).toEqual([0.5, 1, 1, 1, 1, 1, 1, 0.5]);
    expect(Array.from(featherWeights(6, 3))).toEqual([1 / 3, 2 / 3, 1, 1, 2 / 3, 1 / 3].map(Math.fround));
  });

  it('multiplies where the ramps meet and leaves a feather as long as the tile unweighted', () => {
    // length 5, feather 4: the middle gets 0.75 from both ramps.
    expect(Array.from(featherWeights(5, 4))).toEqual([0.25, 0.5, 0.5625, 0.5, 0.25]);
    expect(Array.from(featherWeights(3, 2))).toEqual([0.5, 1, 0.5]);
    expect(Array.from(featherWeights(4, 3))).toEqual([1 / 3, 2 / 3, 2 / 3, 1 / 3].map(Math.fround));
    expect(Array.from(featherWeights(4, 4))).toEqual([1, 1, 1, 1]);
    expect(Array.from(featherWeights(4, 0))).toEqual([1, 1, 1, 1]);
  });
});

function plane(channels: number, height: number, width: number, f: (c: number, y: number, x: number) => number): Plane {
  const data = new Float32Array(channels * height * width);
  for (let c = 0; c < channels; c++)
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[(c * height + y) * width + x] = f(c, y, x);
  return { channels, height, width, data };
}

/** A local "decoder": each cell becomes a scale × scale block of a per-channel function of its value. */
function localDecode(scale: number): (tile: Plane) => Promise<Plane> {
  return (tile) =>
    Promise.resolve(
      plane(3, tile.height * scale, tile.width * scale, (c, y, x) =>
        Math.tanh((c + 1) * 0.3 * tile.data[Math.floor(y / scale) * tile.width + Math.floor(x / scale)]!),
      ),
    );
}

/** A non-local "decoder": a 3×3 box blur with zero padding, so a tile's border differs from the whole's. */
function blurDecode(tile: Plane): Promise<Plane> {
  return Promise.resolve(
    plane(1, tile.height, tile.width, (_c, y, x) => {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy >= 0 && yy < tile.height && xx >= 0 && xx < tile.width) sum += tile.data[yy * tile.width + xx]!;
        }
      return sum / 9;
    }),
  );
}

describe('tiledScale', () => {
  const latent = plane(1, 16, 20, (_c, y, x) => Math.sin(y * 0.7) + Math.cos(x * 0.4));

  it('equals the whole result everywhere for a local function, with overlaps blended', async () => {
    const whole = await localDecode(8)(latent);
    let tiles = 0;
    const tiled = await tiledScale(
      latent,
      localDecode(8),
      { tileX: 8, tileY: 6, overlap: 2, scale: 8, outChannels: 3 },
      () => tiles++,
    );
    expect(tiles).toBe(tileCount(16, 20, 6, 8, 2));
    expect(tiles).toBeGreaterThan(1);
    expect(tiled.height).toBe(128);
    expect(tiled.width).toBe(160);
    let worst = 0;
    for (let i = 0; i < whole.data.length; i++) worst = Math.max(worst, Math.abs(whole.data[i]! - tiled.data[i]!));
    expect(worst).toBeLessThan(1e-5);
  });

  it('runs once, unweighted, when the input fits one tile', async () => {
    let tiles = 0;
    const out = await tiledScale(
      latent,
      localDecode(8),
      { tileX: 32, tileY: 32, overlap: 4, scale: 8, outChannels: 3 },
      () => tiles++,
    );
    expect(tiles).toBe(1);
    expect(out).toEqual(await localDecode(8)(latent));
  });

  it('matches a non-local function away from the overlaps and blends inside them', async () => {
    const input = plane(1, 24, 24, (_c, y, x) => (y * 24 + x) % 7);
    const whole = await blurDecode(input);
    const tiled = await tiledScale(input, blurDecode, { tileX: 12, tileY: 24, overlap: 4, scale: 1, outChannels: 1 });
    // Column tiles start at 0, 8, 16 (the last cut to 8 wide); the blur's padding shows within a cell of each inner edge.
    const spans = tileSpans(24, 12, 4);
    expect(spans.map((s) => s.start)).toEqual([0, 8, 16]);
    const nearSeam = (x: number): boolean =>
      spans.some(
        (s) =>
          (s.start > 0 && Math.abs(x - s.start) <= 1) ||
          (s.start + s.size < 24 && Math.abs(x - (s.start + s.size - 1)) <= 1),
      );
    let far = 0;
    let near = 0;
    for (let y = 0; y < 24; y++)
      for (let x = 0; x < 24; x++) {
        const diff = Math.abs(whole.data[y * 24 + x]! - tiled.data[y * 24 + x]!);
        if (nearSeam(x)) near = Math.max(near, diff);
        else far = Math.max(far, diff);
      }
    expect(far).toBeLessThan(1e-6);
    // The blur's zero padding shows at the tiles' edges, softened by the feather but not gone.
    expect(near).toBeGreaterThan(0);
    expect(near).toBeLessThan(1.5);
  });

  it('encodes with scale 1 / cell, rounding positions as Python does', async () => {
    const pixels = plane(3, 64, 96, (c, y, x) => ((c + 1) * (Math.floor(y / 8) + 3 * Math.floor(x / 8))) % 5);
    const pool = (tile: Plane): Promise<Plane> =>
      Promise.resolve(
        plane(2, Math.floor(tile.height / 8), Math.floor(tile.width / 8), (c, y, x) => {
          let sum = 0;
          for (let dy = 0; dy < 8; dy++)
            for (let dx = 0; dx < 8; dx++) sum += tile.data[(c * tile.height + y * 8 + dy) * tile.width + x * 8 + dx]!;
          return sum / 64;
        }),
      );
    const whole = await pool(pixels);
    const tiled = await tiledScale(pixels, pool, { tileX: 32, tileY: 32, overlap: 16, scale: 1 / 8, outChannels: 2 });
    expect(tiled.height).toBe(8);
    expect(tiled.width).toBe(12);
    for (let i = 0; i < whole.data.length; i++) expect(tiled.data[i]).toBeCloseTo(whole.data[i]!, 5);
  });
});

describe('VAEDecodeTiled / VAEEncodeTiled settings', () => {
  it("converts pixels to the VAE's own cells and caps the overlap at a quarter tile, as ComfyUI's node does", () => {
    expect(decodeTileSettings(512, 64, 8)).toEqual({ tileX: 64, tileY: 64, overlap: 8 });
    expect(decodeTileSettings(64, 32, 8)).toEqual({ tileX: 8, tileY: 8, overlap: 2 });
    expect(decodeTileSettings(512, 64, 16)).toEqual({ tileX: 32, tileY: 32, overlap: 4 });
    expect(decodeTileSettings(256, 0, 8)).toEqual({ tileX: 32, tileY: 32, overlap: 0 });
  });

  it("counts the three tilings' calls", () => {
    // Decode 16×16 cells, tile 8, overlap 2: 4×16 tiles (1 × 7), 16×4 (7 × 1), 8×8 (3 × 3).
    expect(tiledSteps(1, 16, 16, { tileX: 8, tileY: 8, overlap: 2 }, false)).toBe(7 + 7 + 9);
    expect(tiledSteps(2, 16, 16, { tileX: 8, tileY: 8, overlap: 2 }, false)).toBe(46);
    expect(tiledSteps(1, 8, 8, { tileX: 64, tileY: 64, overlap: 8 }, true)).toBe(3);
  });

  it("has ComfyUI's inputs, defaults and ranges", () => {
    const decode = VAEDecodeTiled.inputs;
    expect(decode.tile_size).toMatchObject({ kind: 'INT', default: 512, min: 64, max: 4096, step: 32 });
    expect(decode.overlap).toMatchObject({ kind: 'INT', default: 64, min: 0, max: 4096, step: 32 });
    expect(decode.temporal_size).toMatchObject({ kind: 'INT', default: 64, min: 8, max: 4096, step: 4 });
    expect(decode.temporal_overlap).toMatchObject({ kind: 'INT', default: 8, min: 4, max: 4096, step: 4 });
    const encode = VAEEncodeTiled.inputs;
    expect(encode.tile_size).toMatchObject({ kind: 'INT', default: 512, min: 64, max: 4096, step: 64 });
    expect(encode.overlap).toMatchObject({ kind: 'INT', default: 64, min: 0, max: 4096, step: 32 });
    expect(encode.temporal_size).toMatchObject({ kind: 'INT', default: 64, min: 8, max: 4096, step: 4 });
    expect(encode.temporal_overlap).toMatchObject({ kind: 'INT', default: 8, min: 4, max: 4096, step: 4 });
    expect(VAEDecodeTiled.category).toBe('_for_testing');
    expect(VAEEncodeTiled.category).toBe('_for_testing');
  });
});

/**
 * Inkgraph's seeded noise: a counter-based generator, so the same (seed, batch item, stream) gives the same
 * numbers on every run and machine, and item i of a batch does not depend on the batch size.
 * xoshiro128** seeded through splitmix32 from the 64-bit seed, item and stream; Gaussians by the polar method
 * (only integer arithmetic, division, `Math.log` and `Math.sqrt`).
 */

function splitmix32(state: { value: number }): number {
  state.value = (state.value + 0x9e3779b9) | 0;
  let z = state.value;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  /** `seed` is 0 … 2^64 − 1 (a number above 2^53 is taken as JSON gave it). */
  constructor(seed: number | bigint, item = 0, stream = 0) {
    const big = BigInt.asUintN(64, typeof seed === 'bigint' ? seed : BigInt(Math.trunc(Math.max(0, seed))));
    const lo = Number(big & 0xffffffffn);
    const hi = Number(big >> 32n);
    const state = {
      value: lo ^ Math.imul(hi, 0x27d4eb2f) ^ Math.imul(item + 1, 0x165667b1) ^ Math.imul(stream + 1, 0x9e3779b1),
    };
    // Mix every word of the key in, so nearby seeds give unrelated streams.
    splitmix32(state);
    state.value ^= hi;
    this.s0 = splitmix32(state);
    state.value ^= item;
    this.s1 = splitmix32(state);
    state.value ^= stream;
    this.s2 = splitmix32(state);
    this.s3 = splitmix32(state) | 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Standard normal. */
  nextGaussian(): number {
    if (this.spare !== undefined) {
      const spare = this.spare;
      this.spare = undefined;
      return spare;
    }
    for (;;) {
      const u = this.nextFloat() * 2 - 1;
      const v = this.nextFloat() * 2 - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const factor = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * factor;
        return u * factor;
      }
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Gaussian noise for a batch: item i is drawn from (seed, i, stream) alone. */
export function batchNoise(seed: number | bigint, batch: number, itemSize: number, stream = 0): Float32Array {
  return itemsNoise(
    seed,
    Array.from({ length: batch }, (_, item) => item),
    itemSize,
    stream,
  );
}

/**
 * Noise for the given items of a batch (a latent's `batch_index`): each item's noise is what it would get in the
 * whole batch, as ComfyUI's prepare_noise gives a latent taken from a batch the noise it had there.
 */
export function itemsNoise(
  seed: number | bigint,
  items: readonly number[],
  itemSize: number,
  stream = 0,
): Float32Array {
  const out = new Float32Array(items.length * itemSize);
  items.forEach((item, row) => {
    const random = new SeededRandom(seed, item, stream);
    for (let i = 0; i < itemSize; i++) out[row * itemSize + i] = random.nextGaussian();
  });
  return out;
}

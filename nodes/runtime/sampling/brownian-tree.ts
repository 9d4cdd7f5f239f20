import { SeededRandom } from './noise.js';
import type { NoiseSampler } from './samplers/sampler-run.js';

/**
 * A seeded Brownian motion W on [t0, t1], read at any time in any order (a virtual Brownian tree, as torchsde's
 * BrownianTree behind ComfyUI's BrownianTreeNoiseSampler): W(t0) = 0, W(t1) ~ N(0, t1 − t0), and each midpoint of
 * the bisection drawn from its Brownian bridge with randomness keyed by the node's place in the tree. So W(t)
 * depends only on the seed and t, never on which times were asked before, and increments over disjoint intervals
 * are independent with variance their length. Pure; item i of a batch is keyed by its index as Inkgraph's other
 * noise is, so it does not depend on the batch size.
 */

/** Bisection depth: below (t1 − t0)/2^24 the path is taken as linear (a bridge that narrow has no visible variance). */
const DEPTH = 24;
/** Streams of the tree's nodes sit above the per-step noise streams (step + 1). */
const STREAM_BASE = 1 << 30;

export class BrownianTree {
  private readonly end: Float32Array;
  private readonly known = new Map<number, Float32Array>();

  constructor(
    private readonly seed: number | bigint,
    private readonly items: readonly number[],
    private readonly itemSize: number,
    private readonly t0: number,
    private readonly t1: number,
  ) {
    if (!(t1 > t0)) throw new Error(`a Brownian tree needs t0 < t1, not ${t0} and ${t1}`);
    this.end = this.gaussians(0, Math.sqrt(t1 - t0));
  }

  /** Independent N(0, scale²) values for tree node `node`, one block per batch item. */
  private gaussians(node: number, scale: number): Float32Array {
    const out = new Float32Array(this.items.length * this.itemSize);
    this.items.forEach((item, row) => {
      const random = new SeededRandom(this.seed, item, STREAM_BASE + node);
      for (let i = 0; i < this.itemSize; i++) out[row * this.itemSize + i] = random.nextGaussian() * scale;
    });
    return out;
  }

  /** W(t), t clamped to [t0, t1]. */
  at(time: number): Float32Array {
    const t = Math.min(Math.max(time, this.t0), this.t1);
    const cached = this.known.get(t);
    if (cached) return cached;
    let a = this.t0;
    let b = this.t1;
    let wa = new Float32Array(this.end.length);
    let wb = this.end;
    let node = 1;
    let value: Float32Array | undefined;
    for (let depth = 0; depth < DEPTH; depth++) {
      const m = (a + b) / 2;
      // W(m) | W(a), W(b) ~ N((W(a) + W(b))/2, (b − a)/4).
      const z = this.gaussians(node, Math.sqrt((b - a) / 4));
      const wm = new Float32Array(z.length);
      for (let i = 0; i < z.length; i++) wm[i] = (wa[i]! + wb[i]!) / 2 + z[i]!;
      if (t === m) {
        value = wm;
        break;
      }
      if (t < m) {
        b = m;
        wb = wm;
        node = 2 * node;
      } else {
        a = m;
        wa = wm;
        node = 2 * node + 1;
      }
    }
    if (!value) {
      if (t === a) value = wa;
      else if (t === b) value = wb;
      else {
        const w = (t - a) / (b - a);
        value = new Float32Array(wa.length);
        for (let i = 0; i < value.length; i++) value[i] = wa[i]! + (wb[i]! - wa[i]!) * w;
      }
    }
    this.known.set(t, value);
    return value;
  }
}

/**
 * ComfyUI's BrownianTreeNoiseSampler: (W(σ_next) − W(σ)) / √|σ_next − σ|, standard normal for every interval, with
 * W a Brownian tree over [σ_min, σ_max] from the seed.
 */
export function brownianNoiseSampler(
  seed: number | bigint,
  items: readonly number[],
  itemSize: number,
  sigmaMin: number,
  sigmaMax: number,
): NoiseSampler {
  // A degenerate range (one σ) still needs a valid tree; its increments are then all zero-length.
  const tree = new BrownianTree(seed, items, itemSize, sigmaMin, sigmaMax > sigmaMin ? sigmaMax : sigmaMin + 1);
  return (sigma, sigmaNext) => {
    const from = tree.at(sigma);
    const to = tree.at(sigmaNext);
    const scale = 1 / Math.sqrt(Math.abs(sigmaNext - sigma) || 1);
    const out = new Float32Array(from.length);
    for (let i = 0; i < out.length; i++) out[i] = (to[i]! - from[i]!) * scale;
    return out;
  };
}

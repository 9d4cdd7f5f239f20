import type { MaskBatch } from '../../contract/socket-types.js';
import { fromBatch, repeatBatch } from './latent-ops.js';
import type { Latent } from './types.js';

/**
 * LatentFromBatch and RepeatLatentBatch on a whole LATENT, as ComfyUI's nodes.py: the noise mask and the
 * batch_index follow the samples (so a latent taken from a batch keeps its noise). Pure.
 */

function maskItems(mask: MaskBatch, items: readonly number[]): MaskBatch {
  const plane = mask.height * mask.width;
  const data = new Float32Array(items.length * plane);
  items.forEach((item, row) => data.set(mask.data.subarray(item * plane, (item + 1) * plane), row * plane));
  return { ...mask, batch: items.length, data };
}

export function latentFromBatch(latent: Latent, batchIndex: number, length: number): Latent {
  const batch = latent.samples.batch;
  const start = Math.min(batch - 1, batchIndex);
  const count = Math.min(batch - start, length);
  const taken = [...Array(count).keys()].map((i) => start + i);
  let noiseMask = latent.noiseMask;
  if (noiseMask && noiseMask.batch > 1) {
    // A shorter mask batch is cycled to the latent's first, then sliced like the samples.
    const cycledMask =
      noiseMask.batch < batch
        ? maskItems(
            noiseMask,
            [...Array(batch).keys()].map((i) => i % noiseMask!.batch),
          )
        : noiseMask;
    noiseMask = maskItems(
      cycledMask,
      taken.filter((item) => item < cycledMask.batch),
    );
  }
  return {
    ...latent,
    samples: fromBatch(latent.samples, batchIndex, length),
    ...(noiseMask ? { noiseMask } : {}),
    batchIndex: latent.batchIndex ? latent.batchIndex.slice(start, start + count) : taken,
  };
}

export function repeatLatent(latent: Latent, amount: number): Latent {
  const noiseMask = latent.noiseMask;
  // ComfyUI repeats the mask as it came (its cycled copy is computed and unused), and only a batch of masks.
  const repeatedMask =
    noiseMask && noiseMask.batch > 1
      ? maskItems(
          noiseMask,
          [...Array(noiseMask.batch * amount).keys()].map((i) => i % noiseMask.batch),
        )
      : noiseMask;
  const indices = latent.batchIndex;
  let batchIndex = indices;
  if (indices && indices.length > 0) {
    const offset = Math.max(...indices) - Math.min(...indices) + 1;
    const repeated = [...indices];
    for (let i = 1; i < amount; i++) for (const index of indices) repeated.push(index + i * offset);
    batchIndex = repeated;
  }
  return {
    ...latent,
    samples: repeatBatch(latent.samples, amount),
    ...(repeatedMask ? { noiseMask: repeatedMask } : {}),
    ...(batchIndex ? { batchIndex } : {}),
  };
}

import type { WeightIndex, WeightTarget } from '../onnx/weight-locator.js';
import type { LoraFileIndex, LoraPair } from './lora-file.js';
import { loraKeysForModule, type PipelinePart, type TextEncoderSet } from './lora-keys.js';
import { ldmModuleNames } from './unet-ldm-names.js';

/** Which of a LoRA file's layers land on which weights of a pipeline's parts, and which land nowhere. */

export interface MatchedLayer {
  readonly pair: LoraPair;
  readonly target: WeightTarget;
}

export interface LoraMatch {
  readonly byPart: ReadonlyMap<PipelinePart, readonly MatchedLayer[]>;
  /** Layer keys of the file that name no weight of these parts. */
  readonly unmatched: readonly string[];
  /** Layer keys whose module was found but whose shapes do not fit its weight, with why. */
  readonly misfits: readonly string[];
}

function fits(pair: LoraPair, target: WeightTarget): string | undefined {
  const [out, rank] = pair.up.shape;
  const [downRank] = pair.down.shape;
  const inner = pair.down.shape.slice(1).reduce((a, b) => a * b, 1);
  const upRest = pair.up.shape.slice(2).reduce((a, b) => a * b, 1);
  const weightIn = target.shape.slice(1).reduce((a, b) => a * b, 1);
  if (out === undefined || rank === undefined || downRank === undefined || upRest !== 1)
    return `${pair.key}: its up weight has shape [${pair.up.shape.join(', ')}], not [out, rank]`;
  if (rank !== downRank) return `${pair.key}: its up weight has rank ${rank} but its down weight ${downRank}`;
  if (out !== target.shape[0] || inner !== weightIn)
    return `${pair.key}: makes a [${out}, ${pair.down.shape.slice(1).join(', ')}] change for ${target.module}'s [${target.shape.join(', ')}] weight`;
  return undefined;
}

export function matchLora(
  lora: Pick<LoraFileIndex, 'pairs'>,
  parts: ReadonlyMap<PipelinePart, WeightIndex>,
  encoders: TextEncoderSet,
): LoraMatch {
  const owner = new Map<string, { part: PipelinePart; target: WeightTarget }>();
  for (const [part, index] of parts) {
    const ldm = part === 'unet' ? ldmModuleNames(index.targets.keys()) : undefined;
    for (const target of index.targets.values())
      for (const key of loraKeysForModule(part, target.module, encoders, ldm?.get(target.module)))
        if (!owner.has(key)) owner.set(key, { part, target });
  }
  const byPart = new Map<PipelinePart, MatchedLayer[]>();
  const unmatched: string[] = [];
  const misfits: string[] = [];
  for (const pair of lora.pairs.values()) {
    const found = owner.get(pair.key);
    if (!found) {
      unmatched.push(pair.key);
      continue;
    }
    const misfit = fits(pair, found.target);
    if (misfit) {
      misfits.push(misfit);
      continue;
    }
    const list = byPart.get(found.part) ?? [];
    list.push({ pair, target: found.target });
    byPart.set(found.part, list);
  }
  return { byPart, unmatched, misfits };
}

/**
 * `strength · (alpha / rank) · up @ down`, added into the weight's values as they are stored: [out, in…] in torch's
 * layout, or [in, out] for a transposed MatMul weight (ComfyUI's LoRAAdapter.calculate_weight).
 */
export function addLoraDelta(
  weight: Float32Array,
  target: WeightTarget,
  up: Float32Array,
  down: Float32Array,
  rank: number,
  scale: number,
): void {
  const out = target.shape[0]!;
  const inner = weight.length / out;
  const row = new Float64Array(inner);
  for (let o = 0; o < out; o++) {
    row.fill(0);
    for (let r = 0; r < rank; r++) {
      const factor = up[o * rank + r]!;
      if (factor === 0) continue;
      const base = r * inner;
      for (let j = 0; j < inner; j++) row[j]! += factor * down[base + j]!;
    }
    if (target.transposed) for (let j = 0; j < inner; j++) weight[j * out + o]! += scale * row[j]!;
    else {
      const base = o * inner;
      for (let j = 0; j < inner; j++) weight[base + j]! += scale * row[j]!;
    }
  }
}

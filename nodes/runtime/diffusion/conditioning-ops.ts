import type { MaskBatch } from '../../contract/socket-types.js';
import type { Conditioning, ConditioningArea, ConditioningEntry } from './types.js';

/** The conditioning nodes' operations, as ComfyUI's nodes.py and node_helpers.conditioning_set_values. Pure. */

/** Every entry with the given keys set (conditioning_set_values). */
export function setValues(conditioning: Conditioning, values: Partial<ConditioningEntry>): Conditioning {
  return conditioning.map((entry) => ({ ...entry, ...values }));
}

/** ConditioningConcat: each `to` entry's tokens followed by the first `from` entry's (its keys and pooled stay). */
export function concatConditioning(to: Conditioning, from: Conditioning): Conditioning {
  const source = from[0];
  if (!source) throw new Error('conditioning_from is empty');
  return to.map((entry) => {
    if (entry.dim !== source.dim)
      throw new Error(`conditioning_from is ${source.dim} wide but conditioning_to is ${entry.dim}: use one CLIP`);
    const embeddings = new Float32Array(entry.embeddings.length + source.embeddings.length);
    embeddings.set(entry.embeddings);
    embeddings.set(source.embeddings, entry.embeddings.length);
    return { ...entry, embeddings, tokens: entry.tokens + source.tokens };
  });
}

/**
 * ConditioningAverage: to·s + from·(1 − s) per `to` entry, with the first `from` entry cut or zero-padded to its
 * token count; the pooled embeddings mixed alike (or from's taken when `to` has none).
 */
export function averageConditioning(to: Conditioning, from: Conditioning, toStrength: number): Conditioning {
  const source = from[0];
  if (!source) throw new Error('conditioning_from is empty');
  const fromPooled = source.pooled;
  return to.map((entry) => {
    if (entry.dim !== source.dim)
      throw new Error(`conditioning_from is ${source.dim} wide but conditioning_to is ${entry.dim}: use one CLIP`);
    const embeddings = new Float32Array(entry.embeddings.length);
    for (let i = 0; i < embeddings.length; i++) {
      const other = i < source.embeddings.length ? source.embeddings[i]! : 0;
      embeddings[i] = entry.embeddings[i]! * toStrength + other * (1 - toStrength);
    }
    const toPooled = entry.pooled ?? fromPooled;
    let pooled = entry.pooled;
    if (fromPooled && toPooled)
      pooled = toPooled.map((value, k) => value * toStrength + fromPooled[k]! * (1 - toStrength));
    else if (fromPooled) pooled = fromPooled;
    return { ...entry, embeddings, pooled };
  });
}

/** ConditioningZeroOut: zero embeddings and a zero pooled embedding where there is one. */
export function zeroOutConditioning(conditioning: Conditioning): Conditioning {
  return conditioning.map((entry) => ({
    ...entry,
    embeddings: new Float32Array(entry.embeddings.length),
    pooled: entry.pooled ? new Float32Array(entry.pooled.length) : undefined,
  }));
}

/** ConditioningSetArea: an area in pixels, its strength, and not the mask's bounds. */
export function setArea(
  conditioning: Conditioning,
  area: Omit<Extract<ConditioningArea, { unit: 'pixels' }>, 'unit'>,
  strength: number,
): Conditioning {
  return setValues(conditioning, { area: { unit: 'pixels', ...area }, strength, setAreaToBounds: false });
}

/** ConditioningSetAreaPercentage: an area as fractions of the latent. */
export function setAreaPercentage(
  conditioning: Conditioning,
  area: Omit<Extract<ConditioningArea, { unit: 'fraction' }>, 'unit'>,
  strength: number,
): Conditioning {
  return setValues(conditioning, { area: { unit: 'fraction', ...area }, strength, setAreaToBounds: false });
}

export const setCondAreaModes = ['default', 'mask bounds'] as const;
export type SetCondAreaMode = (typeof setCondAreaModes)[number];

/** ConditioningSetMask: the mask (its strength is the mask's, not the entry's) and whether its bounds are the area. */
export function setMask(
  conditioning: Conditioning,
  mask: MaskBatch,
  strength: number,
  mode: SetCondAreaMode,
): Conditioning {
  return setValues(conditioning, { mask, setAreaToBounds: mode !== 'default', maskStrength: strength });
}

/** The last `size` derivatives of a multistep sampler, oldest first (ComfyUI's buffer_model). */
export function pushHistory(history: readonly Float32Array[], d: Float32Array, size: number): Float32Array[] {
  const next = [...history, d];
  return next.length > size ? next.slice(next.length - size) : next;
}

/** A multistep sampler's max_order: ComfyUI's samplers have branches for 1 to 4 only. */
export function maxOrderOption(sampler: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 4) {
    throw new RangeError(`${sampler}: max_order must be an integer from 1 to 4, not ${value}`);
  }
  return value;
}

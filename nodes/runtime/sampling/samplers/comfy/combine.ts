/** Σ cₖ·vₖ elementwise, summed in double precision and stored as float32 once (the samplers' one vector op). */
export function combine(...terms: readonly (readonly [number, Float32Array])[]): Float32Array {
  const length = terms[0]?.[1].length ?? 0;
  const out = new Float32Array(length);
  for (let j = 0; j < length; j++) {
    let sum = 0;
    for (const [coefficient, vector] of terms) sum += coefficient * vector[j]!;
    out[j] = sum;
  }
  return out;
}

/** Model evaluations for σ lists where each step evaluates `stages` times, but once on a final step into σ = 0. */
export function stagedCalls(stages: number): (sigmas: readonly number[]) => number {
  return (sigmas) => {
    let calls = 0;
    for (let i = 0; i + 1 < sigmas.length; i++) calls += sigmas[i + 1] === 0 ? 1 : stages;
    return calls;
  };
}

/** A coefficient and the vector it scales, one term of a sampler's update. */
export type Term = readonly [coefficient: number, vector: Float32Array];

/**
 * Σ coefficient·vector, elementwise, summed in double precision: every k-diffusion update is such a linear
 * combination of x, the denoised estimates and noise, with coefficients computed from the σs in float64.
 */
export function combine(...terms: readonly Term[]): Float32Array {
  const length = terms[0]?.[1].length ?? 0;
  const out = new Float32Array(length);
  for (let j = 0; j < length; j++) {
    let sum = 0;
    for (const [coefficient, vector] of terms) sum += coefficient * vector[j]!;
    out[j] = sum;
  }
  return out;
}

/** k-diffusion's to_d: (x − D)/σ, the probability-flow ODE's derivative in σ. */
export function toD(x: Float32Array, denoised: Float32Array, sigma: number): Float32Array {
  return combine([1 / sigma, x], [-1 / sigma, denoised]);
}

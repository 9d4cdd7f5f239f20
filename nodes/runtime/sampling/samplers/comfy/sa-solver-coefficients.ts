import { solveLinear } from './linear-solve.js';

/**
 * SA-Solver's b coefficients (ComfyUI's comfy/k_diffusion/sa_solver.py, arXiv 2309.05019, eqs. 15 and 18), for
 * data prediction in λ = −log σ.
 */

/**
 * (1 + τ²)·∫_s^t e^{(1+τ²)(x − t)}·x^p dx for p = 0 … order − 1, by integration by parts: the lower-triangular
 * matrix of (−1)^{p−q}·p!/q!/(1+τ²)^{p−q} applied to t^p − s^p·e^{−(1+τ²)(t−s)}.
 */
function exponentialCoefficients(s: number, t: number, order: number, tau: number): number[] {
  const tauMul = 1 + tau ** 2;
  const h = t - s;
  const product = Array.from({ length: order }, (_, p) => t ** p - s ** p * Math.exp(-tauMul * h));
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  return Array.from({ length: order }, (_, p) => {
    let sum = 0;
    for (let q = 0; q <= p; q++)
      sum += (((-1) ** (p - q) * factorial(p)) / factorial(q) / tauMul ** (p - q)) * product[q]!;
    return sum;
  });
}

/**
 * The weights of the stored estimates (oldest first) for one predictor or corrector step from λ_s to λ_t, with
 * the Lagrange basis on `lambdas`. With simple_order_2 and two points, the paper's simplified second-order weights
 * (Appendix D).
 */
export function stochasticAdamsCoefficients(
  sigmaNext: number,
  lambdas: readonly number[],
  lambdaS: number,
  lambdaT: number,
  tau: number,
  simpleOrder2: boolean,
  corrector: boolean,
): number[] {
  const n = lambdas.length;
  const alphaT = sigmaNext * Math.exp(lambdaT);
  if (simpleOrder2 && n === 2) {
    const tauMul = 1 + tau ** 2;
    const h = lambdaT - lambdaS;
    const whole = alphaT * -Math.expm1(-h * tauMul);
    if (corrector) {
      const b1 = alphaT * (0.5 * tauMul * h);
      return [whole - b1, b1];
    }
    const b2 = (alphaT * (0.5 * tauMul * h ** 2)) / (lambdas[n - 2]! - lambdaS);
    return [b2, whole - b2];
  }
  const integrals = exponentialCoefficients(lambdaS, lambdaT, n, tau);
  // torch.vander(λ, n, increasing=True).T: row j holds λ_k^j.
  const vandermondeT = Array.from({ length: n }, (_, j) => lambdas.map((l) => l ** j));
  return solveLinear(vandermondeT, integrals).map((v) => alphaT * v);
}

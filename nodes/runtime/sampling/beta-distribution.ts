/**
 * The beta distribution's CDF (the regularized incomplete beta I_x(a, b)) and its inverse, for the beta scheduler,
 * which ComfyUI computes with scipy.stats.beta.ppf. Pure, float64.
 */

// Lanczos coefficients for g = 7, n = 9: ln Γ to about 1e-15 relative for positive arguments.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(z) for z > 0. */
export function logGamma(z: number): number {
  // Reflection keeps the series where it is accurate: Γ(z)Γ(1−z) = π / sin(πz).
  if (z < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - logGamma(1 - z);
  const x = z - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (x + i);
  const t = x + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

const TINY = 1e-300;
const EPSILON = 1e-16;
const MAX_TERMS = 1000;

/** The continued fraction of I_x(a, b), by the modified Lentz method; converges fast for x < (a + 1)/(a + b + 2). */
function incompleteBetaFraction(x: number, a: number, b: number): number {
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let fraction = d;
  for (let m = 1; m <= MAX_TERMS; m++) {
    const m2 = 2 * m;
    // The even term, then the odd one, of the fraction's numerators.
    for (const numerator of [
      (m * (b - m) * x) / ((a + m2 - 1) * (a + m2)),
      (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1)),
    ]) {
      d = 1 + numerator * d;
      if (Math.abs(d) < TINY) d = TINY;
      c = 1 + numerator / c;
      if (Math.abs(c) < TINY) c = TINY;
      d = 1 / d;
      fraction *= d * c;
    }
    if (Math.abs(d * c - 1) < EPSILON) break;
  }
  return fraction;
}

/** The regularized incomplete beta function I_x(a, b): the CDF at x of Beta(a, b), for a, b > 0. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b));
  if (x < (a + 1) / (a + b + 2)) return (front * incompleteBetaFraction(x, a, b)) / a;
  return 1 - (front * incompleteBetaFraction(1 - x, b, a)) / b;
}

/**
 * The x ≤ ½-side quantile: I_x(a, b) = q for q ≤ ½. Solved in u = ln x, where ln I is nearly linear near 0 (I ≈ C·x^a),
 * by Newton steps kept inside a bracket that bisection shrinks when a step would leave it.
 */
function lowerQuantile(q: number, a: number, b: number): number {
  const logQ = Math.log(q);
  const logB = logBeta(a, b);
  // h(u) = ln I(e^u) − ln q rises with u; h(0) = −ln q > 0, and below e^-745 every double is 0.
  let low = -745;
  let high = 0;
  // The small-x form I ≈ x^a / (a·B(a, b)) gives the first guess.
  let u = Math.min(Math.max((logQ + Math.log(a) + logB) / a, low), -1e-3);
  for (let iteration = 0; iteration < 200; iteration++) {
    const x = Math.exp(u);
    const cdf = regularizedIncompleteBeta(x, a, b);
    const h = Math.log(cdf) - logQ;
    if (h === 0) return x;
    if (h < 0) low = u;
    else high = u;
    // d/du ln I(e^u) = x·pdf(x) / I(x).
    const slope = Math.exp(a * u + (b - 1) * Math.log1p(-x) - logB) / cdf;
    let next = u - h / slope;
    if (!Number.isFinite(next) || next <= low || next >= high) next = (low + high) / 2;
    if (Math.abs(next - u) <= 1e-15 * Math.max(1, Math.abs(u)) || high - low <= 1e-15 * Math.max(1, Math.abs(u)))
      return Math.exp(next);
    u = next;
  }
  return Math.exp(u);
}

/** The quantile (inverse CDF, scipy's beta.ppf) of Beta(a, b) at p, for a, b > 0. */
export function betaQuantile(p: number, a: number, b: number): number {
  if (!(p > 0)) return 0;
  if (p >= 1) return 1;
  // A symmetric distribution's median is exactly ½; solving for it would land an ulp either side.
  if (a === b && p === 0.5) return 0.5;
  // 1 − p is exact for p ≥ ½; the upper tail is the lower tail of Beta(b, a) at 1 − x.
  if (p > 0.5) return 1 - lowerQuantile(1 - p, b, a);
  return lowerQuantile(p, a, b);
}

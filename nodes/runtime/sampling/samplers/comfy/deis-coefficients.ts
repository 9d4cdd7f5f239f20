/**
 * DEIS's 'tab' coefficients (ComfyUI's comfy/k_diffusion/deis.py, from zju-pi's diff-sampler): each σ is mapped to
 * the time t of the VP SDE fitted to EDM's σ range (0.002…80, ε_s = 1e-3), and the weight of each stored
 * derivative is its Lagrange basis polynomial integrated against the SDE's kernel over [t_i, t_{i+1}] by a
 * Riemann sum of N points, as ComfyUI sums it.
 */

const EPSILON_S = 1e-3;
const SIGMA_MIN = 0.002;
const SIGMA_MAX = 80;
const POINTS = 10000;

export function deisTabCoefficients(sigmas: readonly number[], maxOrder: number): number[][] {
  const betaD = (2 * (Math.log(SIGMA_MIN ** 2 + 1) / EPSILON_S - Math.log(SIGMA_MAX ** 2 + 1))) / (EPSILON_S - 1);
  const betaMin = Math.log(SIGMA_MAX ** 2 + 1) - 0.5 * betaD;
  const ts = sigmas.map((s) => (Math.sqrt(betaMin ** 2 + 2 * betaD * Math.log(s ** 2 + 1)) - betaMin) / betaD);
  const beta0 = betaMin;
  const beta1 = betaD + betaMin;
  const coefficients: number[][] = [];
  for (let i = 0; i + 1 < ts.length; i++) {
    const order = Math.min(i + 1, maxOrder);
    // The step into σ = 0 is always Euler in sample_deis: its weights (infinite at t = 0) are never read.
    if (order === 1 || sigmas[i + 1]! <= 0) {
      coefficients.push([]);
      continue;
    }
    const tCur = ts[i]!;
    const tNext = ts[i + 1]!;
    const dtau = (tNext - tCur) / POINTS;
    const prev = Array.from({ length: order }, (_, k) => ts[i - k]!);
    const row = new Array<number>(order).fill(0);
    for (let p = 0; p < POINTS; p++) {
      // torch.linspace(t_cur, t_next, N): both ends included.
      const tau = p === POINTS - 1 ? tNext : tCur + ((tNext - tCur) * p) / (POINTS - 1);
      const alpha = Math.exp(-0.5 * tau ** 2 * (beta1 - beta0) - tau * beta0);
      const dLogAlpha = -tau * (beta1 - beta0) - beta0;
      const integrand = (-0.5 * dLogAlpha) / Math.sqrt(alpha * (1 - alpha));
      for (let j = 0; j < order; j++) {
        let poly = 1;
        for (let k = 0; k < order; k++) if (k !== j) poly *= (tau - prev[k]!) / (prev[j]! - prev[k]!);
        row[j] = row[j]! + integrand * poly;
      }
    }
    coefficients.push(row.map((sum) => sum * dtau));
  }
  return coefficients;
}

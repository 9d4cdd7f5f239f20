import type { SamplerFamily } from '../sampler-names.js';
import type { SamplerRun } from '../sampler-run.js';
import { combine } from './combine.js';
import { solveLinear } from './linear-solve.js';

/** ComfyUI's SigmaConvert: the VP schedule of a σ (α = 1/√(σ²+1)), in its own formulas. */
const logAlpha = (sigma: number): number => 0.5 * Math.log(1 / (sigma * sigma + 1));
const alphaOf = (sigma: number): number => Math.exp(logAlpha(sigma));
const stdOf = (sigma: number): number => Math.sqrt(1 - Math.exp(2 * logAlpha(sigma)));
const lambdaOf = (sigma: number): number => logAlpha(sigma) - 0.5 * Math.log(1 - Math.exp(2 * logAlpha(sigma)));

type DataPrediction = (x: Float32Array, sigma: number) => Promise<Float32Array>;

/**
 * One multistep UniPC update with B(h) (multistep_uni_pc_bh_update, predict_x0): the predictor from the stored
 * data predictions, and with use_corrector one model evaluation at the new point and the UniC corrector.
 */
async function uniPcUpdate(
  model: DataPrediction,
  x: Float32Array,
  models: readonly Float32Array[],
  times: readonly number[],
  t: number,
  order: number,
  variant: 'bh1' | 'bh2',
  useCorrector: boolean,
): Promise<{ x: Float32Array; model: Float32Array | undefined }> {
  const tPrev0 = times[times.length - 1]!;
  const modelPrev0 = models[models.length - 1]!;
  const lambdaPrev0 = lambdaOf(tPrev0);
  const h = lambdaOf(t) - lambdaPrev0;
  const alphaT = Math.exp(logAlpha(t));
  const rks: number[] = [];
  const d1s: Float32Array[] = [];
  for (let i = 1; i < order; i++) {
    const rk = (lambdaOf(times[times.length - 1 - i]!) - lambdaPrev0) / h;
    rks.push(rk);
    d1s.push(combine([1 / rk, models[models.length - 1 - i]!], [-1 / rk, modelPrev0]));
  }
  rks.push(1);

  const hh = -h;
  const hPhi1 = Math.expm1(hh);
  const bH = variant === 'bh1' ? hh : Math.expm1(hh);
  let hPhiK = hPhi1 / hh - 1;
  let factorial = 1;
  const rows: number[][] = [];
  const b: number[] = [];
  for (let i = 1; i <= order; i++) {
    rows.push(rks.map((rk) => rk ** (i - 1)));
    b.push((hPhiK * factorial) / bH);
    factorial *= i + 1;
    hPhiK = hPhiK / hh - 1 / factorial;
  }

  const base = combine([stdOf(t) / stdOf(tPrev0), x], [-alphaT * hPhi1, modelPrev0]);
  let rhosP: number[] = [];
  if (d1s.length > 0) {
    rhosP =
      order === 2
        ? [0.5]
        : solveLinear(
            rows.slice(0, -1).map((row) => row.slice(0, -1)),
            b.slice(0, -1),
          );
  }
  const predicted = combine([1, base], ...d1s.map((d, k) => [-alphaT * bH * rhosP[k]!, d] as const));
  if (!useCorrector) return { x: predicted, model: undefined };

  const rhosC = order === 1 ? [0.5] : solveLinear(rows, b);
  const modelT = await model(predicted, t);
  const last = rhosC[rhosC.length - 1]!;
  const corrected = combine(
    [1, base],
    ...d1s.map((d, k) => [-alphaT * bH * rhosC[k]!, d] as const),
    [-alphaT * bH * last, modelT],
    [alphaT * bH * last, modelPrev0],
  );
  return { x: corrected, model: modelT };
}

/**
 * ComfyUI's sample_unipc (comfy/extra_samplers/uni_pc.py, UniPC from wl-zhao): multistep UniPC of order
 * min(3, steps − 1) in the VP x/√(σ²+1), with data predictions from D through predict_eps_sigma; a final σ of 0
 * becomes 0.001 and the last update runs without corrector, so each step costs one model evaluation. The callback
 * sees each step's newest data prediction. Its schedules drop the penultimate σ (KSampler).
 */
function uniPc(variant: 'bh1' | 'bh2') {
  return async (x0: Float32Array, run: SamplerRun): Promise<Float32Array> => {
    if (run.sigmas.length <= 1) return x0;
    const times = [...run.sigmas];
    if (times[times.length - 1] === 0) times[times.length - 1] = 0.001;
    const model: DataPrediction = async (xv, sigma) => {
      const scale = (sigma ** 2 + 1) ** 0.5;
      const xk = combine([scale, xv]);
      const denoised = await run.denoise(xk, sigma);
      // x0 = (x_vp − std·ε)/α with ε = (x_k − D)/σ: D again, in ComfyUI's arithmetic.
      const std = stdOf(sigma);
      const alpha = alphaOf(sigma);
      return combine([1 / alpha - (std * scale) / (sigma * alpha), xv], [std / (sigma * alpha), denoised]);
    };
    let x = combine([1 / Math.sqrt(1 + times[0]! ** 2), x0]);
    const steps = times.length - 1;
    const order = Math.min(3, times.length - 2);
    let models: Float32Array[] = [];
    let history: number[] = [];
    for (let stepIndex = 0; stepIndex < steps; stepIndex++) {
      if (stepIndex === 0) {
        models = [await model(x, times[0]!)];
        history = [times[0]!];
      } else if (stepIndex < order) {
        const t = times[stepIndex]!;
        const update = await uniPcUpdate(model, x, models, history, t, stepIndex, variant, true);
        x = update.x;
        models.push(update.model!);
        history.push(t);
      } else {
        const last = stepIndex === steps - 1 ? steps : stepIndex;
        for (let step = stepIndex; step <= last; step++) {
          const t = times[step]!;
          const stepOrder = Math.min(order, steps + 1 - step);
          const update = await uniPcUpdate(model, x, models, history, t, stepOrder, variant, step !== steps);
          x = update.x;
          // Shift both histories one place; the newest model value stays until it is replaced.
          history = [...history.slice(1), t];
          models = [...models.slice(1), models[models.length - 1]!];
          if (step < steps && update.model) models[models.length - 1] = update.model;
        }
      }
      await run.onStep?.(stepIndex, steps, models[models.length - 1]!);
    }
    return combine([1 / alphaOf(times[times.length - 1]!), x]);
  };
}

export const uniPcSamplers: SamplerFamily = {
  uni_pc: { run: uniPc('bh1'), discardPenultimate: true },
  uni_pc_bh2: { run: uniPc('bh2'), discardPenultimate: true },
};

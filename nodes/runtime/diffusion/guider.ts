import type { Conditioning, DiffusionModel } from './types.js';

/**
 * ComfyUI's GUIDER: what the sampler's model call is. CFGGuider (positive and negative mixed by cfg; KSampler's
 * guidance), BasicGuider (the positive alone) and DualCFGGuider (two prompts and a negative, regular or nested).
 */
export type Guider =
  | {
      readonly kind: 'cfg';
      readonly model: DiffusionModel;
      readonly positive: Conditioning;
      readonly negative: Conditioning;
      readonly cfg: number;
    }
  | { readonly kind: 'basic'; readonly model: DiffusionModel; readonly positive: Conditioning }
  | {
      readonly kind: 'dual';
      readonly model: DiffusionModel;
      readonly cond1: Conditioning;
      readonly cond2: Conditioning;
      readonly negative: Conditioning;
      readonly cfgConds: number;
      readonly cfgCond2Negative: number;
      readonly nested: boolean;
    };

/** One conditioning the model is evaluated on each step, named as the user knows it (for errors). */
export interface GuidedSet {
  readonly name: string;
  readonly conditioning: Conditioning;
  /** ComfyUI's prompt_type: SDXL's size conditioning and the refiner's aesthetic score read it. */
  readonly promptType: 'positive' | 'negative';
}

/** ComfyUI's math.isclose at its default tolerance, as its cfg-1 optimisation tests the scale. */
export function isCloseToOne(value: number): boolean {
  return Math.abs(value - 1) <= 1e-9 * Math.max(1, Math.abs(value));
}

/** The conditionings a guider evaluates, in ComfyUI's order (negative first, as calc_cond_batch is given them). */
export function guidedSets(guider: Guider): GuidedSet[] {
  switch (guider.kind) {
    case 'cfg':
      return [
        { name: 'negative', conditioning: guider.negative, promptType: 'negative' },
        { name: 'positive', conditioning: guider.positive, promptType: 'positive' },
      ];
    case 'basic':
      return [{ name: 'conditioning', conditioning: guider.positive, promptType: 'positive' }];
    case 'dual':
      // Guider_DualCFG sets the middle prompt's prompt_type to negative.
      return [
        { name: 'negative', conditioning: guider.negative, promptType: 'negative' },
        { name: 'cond2', conditioning: guider.cond2, promptType: 'negative' },
        { name: 'cond1', conditioning: guider.cond1, promptType: 'positive' },
      ];
  }
}

/**
 * Which of `guidedSets` are evaluated this run: ComfyUI skips the negative at cfg 1 (and DualCFG's middle prompt
 * too when both scales are 1), unless a CFG++ sampler needs the unconditional estimate
 * (disable_cfg1_optimization). Skipped sets read as zeros, as calc_cond_batch returns for a missing cond.
 */
export function evaluatedSets(guider: Guider, needUncond: boolean): boolean[] {
  switch (guider.kind) {
    case 'cfg':
      return [needUncond || !isCloseToOne(guider.cfg), true];
    case 'basic':
      return [true];
    case 'dual': {
      if (guider.nested || needUncond || !isCloseToOne(guider.cfgCond2Negative)) return [true, true, true];
      return [false, !isCloseToOne(guider.cfgConds), true];
    }
  }
}

/** ComfyUI's cfg_function for one model: the plain mix, or the model's sampler_cfg_function (RescaleCFG). */
export type CfgFunction = (
  cond: Float32Array,
  uncond: Float32Array,
  scale: number,
  x: Float32Array,
  sigma: number,
) => Float32Array;

/**
 * The guided estimate from each set's denoised estimate (in `guidedSets` order), and the unconditional estimate a
 * CFG++ sampler reads (ComfyUI's post-CFG `uncond_denoised`).
 */
export function combineEstimates(
  guider: Guider,
  estimates: readonly Float32Array[],
  x: Float32Array,
  sigma: number,
  cfgFunction: CfgFunction,
): { denoised: Float32Array; uncond: Float32Array } {
  switch (guider.kind) {
    case 'cfg': {
      const [uncond, cond] = estimates as [Float32Array, Float32Array];
      return { denoised: cfgFunction(cond, uncond, guider.cfg, x, sigma), uncond };
    }
    case 'basic': {
      // Guider_Basic runs CFGGuider with no negative: its uncond estimate is calc_cond_batch's zeros.
      const [cond] = estimates as [Float32Array];
      return { denoised: cond, uncond: new Float32Array(cond.length) };
    }
    case 'dual': {
      const [negative, middle, positive] = estimates as [Float32Array, Float32Array, Float32Array];
      if (guider.nested) {
        const text = cfgFunction(positive, middle, guider.cfgConds, x, sigma);
        const denoised = new Float32Array(text.length);
        for (let i = 0; i < text.length; i++)
          denoised[i] = negative[i]! + guider.cfgCond2Negative * (text[i]! - negative[i]!);
        return { denoised, uncond: middle };
      }
      const denoised = cfgFunction(middle, negative, guider.cfgCond2Negative, x, sigma);
      for (let i = 0; i < denoised.length; i++)
        denoised[i] = denoised[i]! + (positive[i]! - middle[i]!) * guider.cfgConds;
      return { denoised, uncond: negative };
    }
  }
}

declare module '../../contract/socket-types.js' {
  interface SocketTypes {
    GUIDER: Guider;
  }
}

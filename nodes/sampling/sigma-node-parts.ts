import type { FloatInput, IntInput, NodeResult, OutputDefinition, SocketInput } from '../contract/node-definition.js';
import '../runtime/sampling/custom-sampling-types.js';

/** What the scheduler and σ nodes share: categories, widgets with ComfyUI's ranges, Chinese labels, the σ result. */

export const SCHEDULERS_CATEGORY = 'sampling/schedulers';
export const SIGMAS_CATEGORY = 'sampling/sigmas';
export const SCHEDULERS_CATEGORY_ZH = '采样/调度器';
export const SIGMAS_CATEGORY_ZH = '采样/σ 序列';

type SigmasOutput = OutputDefinition<'SIGMAS'>;

export const sigmasInput: SocketInput<'SIGMAS'> = { kind: 'SOCKET', type: 'SIGMAS' };

export const scheduleStepsInput: IntInput = {
  kind: 'INT',
  default: 20,
  min: 1,
  max: 10000,
  tooltip: 'The number of steps: the list has one σ more.',
};
export const denoiseInput: FloatInput = {
  kind: 'FLOAT',
  default: 1,
  min: 0,
  max: 1,
  step: 0.01,
  tooltip: 'Below 1 keeps only the last part of the schedule (img2img); 0 gives an empty list.',
};
export const sigmaMaxInput: FloatInput = {
  kind: 'FLOAT',
  default: 14.614642,
  min: 0,
  max: 5000,
  step: 0.01,
  round: false,
  tooltip: 'The first (highest) noise level.',
};
export const sigmaMinInput: FloatInput = {
  kind: 'FLOAT',
  default: 0.0291675,
  min: 0,
  max: 5000,
  step: 0.01,
  round: false,
  tooltip: 'The last noise level before the final 0.',
};

const sigmaInputNames: Readonly<Record<string, string>> = {
  model: '模型',
  scheduler: '调度器',
  steps: '步数',
  denoise: '降噪',
  sigma_max: 'σ 最大值',
  sigma_min: 'σ 最小值',
  rho: 'ρ',
  sigmas: 'σ 序列',
};
const sigmaTooltipsZh: Readonly<Record<string, string>> = {
  steps: '步数：序列比步数多一个 σ。',
  denoise: '小于 1 时只保留序列的后段（图生图）；为 0 时序列为空。',
  sigma_max: '第一个（最高的）噪声水平。',
  sigma_min: '最后的 0 之前的噪声水平。',
};

/**
 * A node's Chinese input labels and tooltips: the shared ones above for the inputs it has, with its own on top (the
 * UI rejects a translation for an input the node lacks).
 */
export function zhInputText(
  inputNames: readonly string[],
  labels: Readonly<Record<string, string>> = {},
  tooltips: Readonly<Record<string, string>> = {},
): { inputs: Record<string, string>; tooltips: Record<string, string> } {
  const pick = (table: Readonly<Record<string, string>>): Record<string, string> =>
    Object.fromEntries(Object.entries(table).filter(([name]) => inputNames.includes(name)));
  return { inputs: pick({ ...sigmaInputNames, ...labels }), tooltips: pick({ ...sigmaTooltipsZh, ...tooltips }) };
}

/** The output a σ node returns: the list, and the same numbers for the editor's plot (`executed`'s output). */
export function sigmasResult(sigmas: readonly number[]): NodeResult<readonly [SigmasOutput]> {
  return { outputs: [sigmas], ui: { sigmas: [...sigmas] } };
}

/**
 * A split node's output: both halves, and for the plot the whole list with the index where the low half starts.
 */
export function splitResult(
  sigmas: readonly number[],
  high: readonly number[],
  low: readonly number[],
): NodeResult<readonly [SigmasOutput, SigmasOutput]> {
  return { outputs: [high, low], ui: { sigmas: [...sigmas], split: [sigmas.length - low.length] } };
}

/** "Class: field: reason" when a widget's value would make the schedule NaN or empty, for validate and run alike. */
export function widgetProblem(classType: string, checks: readonly [string, boolean, string][]): string | undefined {
  const failed = checks.find(([, bad]) => bad);
  return failed ? `${classType}: ${failed[0]}: ${failed[2]}` : undefined;
}

/** Throws a widget problem found at run time (values that came through links skip validation). */
export function throwIfProblem(problem: string | undefined): void {
  if (problem !== undefined) throw new Error(problem);
}

import type { ComboInput, FloatInput, IntInput, SocketInput } from '../contract/node-definition.js';
import { samplerNames, type SamplerName } from '../runtime/sampling/samplers/registry.js';
import { schedulerNames, type SchedulerName } from '../runtime/sampling/schedulers.js';

/** The widgets KSampler and KSamplerAdvanced share, with ComfyUI's ranges. */
export const seedInput: IntInput = {
  kind: 'INT',
  default: 0,
  min: 0,
  max: 18446744073709551615,
  controlAfterGenerate: true,
  tooltip: 'The random seed for the noise.',
};
export const stepsInput: IntInput = {
  kind: 'INT',
  default: 20,
  min: 1,
  max: 10000,
  tooltip: 'The number of denoising steps.',
};
export const cfgInput: FloatInput = {
  kind: 'FLOAT',
  default: 8,
  min: 0,
  max: 100,
  step: 0.1,
  round: 0.01,
  tooltip: 'Classifier-free guidance scale; 1 skips the negative prompt.',
};
export const samplerInput: ComboInput<SamplerName> = {
  kind: 'COMBO',
  options: samplerNames,
  tooltip: 'The sampling algorithm.',
};
export const schedulerInput: ComboInput<SchedulerName> = {
  kind: 'COMBO',
  options: schedulerNames,
  tooltip: 'How the noise levels are spaced over the steps.',
};

export const samplerTranslations = {
  model: '模型',
  seed: '种子',
  noise_seed: '噪声种子',
  steps: '步数',
  cfg: 'CFG',
  sampler_name: '采样器',
  scheduler: '调度器',
  positive: '正向',
  negative: '负向',
  latent_image: '潜空间图像',
  denoise: '降噪',
};

/** The seed's Chinese tooltip: KSampler names the input `seed`, KSamplerAdvanced `noise_seed`. */
export const seedTooltip = '噪声的随机种子。';
/** The Chinese tooltips of the other widgets above, for both samplers' translations. */
export const samplerTooltips = {
  steps: '降噪的步数。',
  cfg: '无分类器引导（CFG）强度；为 1 时跳过负向提示词。',
  sampler_name: '采样算法。',
  scheduler: '噪声水平在各步之间如何分布。',
};

export const modelInput: SocketInput<'MODEL'> = { kind: 'SOCKET', type: 'MODEL' };
export const positiveInput: SocketInput<'CONDITIONING'> = { kind: 'SOCKET', type: 'CONDITIONING' };
export const negativeInput: SocketInput<'CONDITIONING'> = { kind: 'SOCKET', type: 'CONDITIONING' };
export const latentInput: SocketInput<'LATENT'> = { kind: 'SOCKET', type: 'LATENT' };

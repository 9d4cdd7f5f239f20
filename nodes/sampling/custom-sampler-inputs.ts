import type { ComboInput, FloatInput, SocketInput } from '../contract/node-definition.js';
import '../runtime/sampling/custom-sampling-types.js';
import '../runtime/diffusion/guider.js';

/** Widgets and sockets the custom-sampling nodes share, with ComfyUI's ranges. */
export const etaInput: FloatInput = {
  kind: 'FLOAT',
  default: 1,
  min: 0,
  max: 100,
  step: 0.01,
  round: false,
  tooltip: 'How much fresh noise each step adds (0: none).',
};
export const sNoiseInput: FloatInput = {
  kind: 'FLOAT',
  default: 1,
  min: 0,
  max: 100,
  step: 0.01,
  round: false,
  tooltip: 'Multiplies the noise added each step.',
};
/** Where ComfyUI draws the SDE samplers' Brownian noise; Inkgraph's is the same seeded tree either way. */
export const noiseDeviceInput: ComboInput<'gpu' | 'cpu'> = {
  kind: 'COMBO',
  options: ['gpu', 'cpu'],
  tooltip: 'ComfyUI picks the _gpu or CPU twin of the sampler; both give the same seeded noise here.',
};

export const samplerSocket: SocketInput<'SAMPLER'> = { kind: 'SOCKET', type: 'SAMPLER' };
export const sigmasSocket: SocketInput<'SIGMAS'> = { kind: 'SOCKET', type: 'SIGMAS' };
export const guiderSocket: SocketInput<'GUIDER'> = { kind: 'SOCKET', type: 'GUIDER' };
export const noiseSocket: SocketInput<'NOISE'> = { kind: 'SOCKET', type: 'NOISE' };

/** Chinese names of the shared option widgets. */
export const samplerOptionTranslations = {
  eta: 'eta（噪声强度）',
  s_noise: '噪声倍数',
  noise_device: '噪声设备',
  r: 'r（中间步比例）',
  order: '阶数',
  solver_type: '求解器类型',
};
export const samplerOptionTooltips = {
  eta: '每一步加入多少新噪声（0 为不加）。',
  s_noise: '每一步加入噪声的倍数。',
};
export const noiseDeviceTooltip = 'ComfyUI 据此选择 _gpu 或 CPU 版本；在这里两者的种子噪声相同。';

/** The output every sampler-option node has. */
export const samplerOutput = [{ type: 'SAMPLER', name: 'SAMPLER' }] as const;

import { defineNode } from '../contract/node-definition.js';
import { applyControlAdvanced } from '../runtime/diffusion/controlnet.js';
import '../runtime/diffusion/types.js';

export const ControlNetApplyAdvanced = defineNode({
  classType: 'ControlNetApplyAdvanced',
  displayName: 'Apply ControlNet',
  category: 'conditioning/controlnet',
  description:
    'Guides sampling with a ControlNet and a hint image (a mask, a scribble, edges) on both the positive and the negative side, at a strength, over part of the sampling. Chain several to add their effects.',
  translations: {
    'zh-CN': {
      display_name: '应用 ControlNet',
      description:
        '用 ControlNet 和提示图（遮罩、涂鸦、边缘）在正负两侧引导采样，可设强度和采样区间。串联多个即可叠加效果。',
      inputs: {
        positive: '正面条件',
        negative: '负面条件',
        control_net: 'ControlNet',
        image: '图像',
        strength: '强度',
        start_percent: '开始百分比',
        end_percent: '结束百分比',
      },
    },
  },
  inputs: {
    positive: { kind: 'SOCKET', type: 'CONDITIONING' },
    negative: { kind: 'SOCKET', type: 'CONDITIONING' },
    control_net: { kind: 'SOCKET', type: 'CONTROL_NET' },
    image: { kind: 'SOCKET', type: 'IMAGE' },
    strength: { kind: 'FLOAT', default: 1, min: 0, max: 10, step: 0.01 },
    start_percent: { kind: 'FLOAT', default: 0, min: 0, max: 1, step: 0.001 },
    end_percent: { kind: 'FLOAT', default: 1, min: 0, max: 1, step: 0.001 },
  },
  outputs: [
    { type: 'CONDITIONING', name: 'positive' },
    { type: 'CONDITIONING', name: 'negative' },
  ],
  run: ({ positive, negative, control_net, image, strength, start_percent, end_percent }) => {
    if (strength === 0) return { outputs: [positive, negative] };
    const [p, n] = applyControlAdvanced(positive, negative, {
      net: control_net,
      hint: image,
      strength,
      startPercent: start_percent,
      endPercent: end_percent,
    });
    return { outputs: [p, n] };
  },
});

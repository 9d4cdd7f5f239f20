import { defineNode } from '../contract/node-definition.js';
import { applyControl } from '../runtime/diffusion/controlnet.js';
import '../runtime/diffusion/types.js';

export const ControlNetApply = defineNode({
  classType: 'ControlNetApply',
  displayName: 'Apply ControlNet (OLD)',
  category: 'conditioning/controlnet',
  deprecated: true,
  description:
    "ComfyUI's old ControlNet node: guides one conditioning with a ControlNet and a hint image over the whole sampling; the sampler lends it to the negative side.",
  translations: {
    'zh-CN': {
      display_name: '应用 ControlNet（旧）',
      description:
        'ComfyUI 的旧版 ControlNet 节点：在整个采样过程中用 ControlNet 和提示图引导一个条件；采样器也会把它用于负面一侧。',
      inputs: { conditioning: '条件', control_net: 'ControlNet', image: '图像', strength: '强度' },
    },
  },
  inputs: {
    conditioning: { kind: 'SOCKET', type: 'CONDITIONING' },
    control_net: { kind: 'SOCKET', type: 'CONTROL_NET' },
    image: { kind: 'SOCKET', type: 'IMAGE' },
    strength: { kind: 'FLOAT', default: 1, min: 0, max: 10, step: 0.01 },
  },
  outputs: [{ type: 'CONDITIONING', name: 'CONDITIONING' }],
  run: ({ conditioning, control_net, image, strength }) => {
    if (strength === 0) return { outputs: [conditioning] };
    return {
      outputs: [
        applyControl(conditioning, { net: control_net, hint: image, strength, startPercent: 0, endPercent: 1 }),
      ],
    };
  },
});

import { defineNode } from '../contract/node-definition.js';
import { setCondAreaModes, setMask } from '../runtime/diffusion/conditioning-ops.js';
import '../runtime/diffusion/types.js';

export const ConditioningSetMask = defineNode({
  classType: 'ConditioningSetMask',
  displayName: 'Conditioning (Set Mask)',
  category: 'conditioning',
  description:
    "Limits the conditioning to a mask (resized to the latent), weighted by strength; 'mask bounds' samples only the mask's bounding box.",
  translations: {
    'zh-CN': {
      display_name: '条件（设置遮罩）',
      description: '把条件限制在遮罩内（缩放到潜空间大小），按强度加权；“mask bounds” 只在遮罩的包围框内采样。',
      inputs: { conditioning: '条件', mask: '遮罩', strength: '强度', set_cond_area: '条件区域' },
    },
  },
  inputs: {
    conditioning: { kind: 'SOCKET', type: 'CONDITIONING' },
    mask: { kind: 'SOCKET', type: 'MASK' },
    strength: { kind: 'FLOAT', default: 1, min: 0, max: 10, step: 0.01 },
    set_cond_area: { kind: 'COMBO', options: setCondAreaModes },
  },
  outputs: [{ type: 'CONDITIONING', name: 'CONDITIONING' }],
  run: ({ conditioning, mask, strength, set_cond_area }) => ({
    outputs: [setMask(conditioning, mask, strength, set_cond_area)],
  }),
});

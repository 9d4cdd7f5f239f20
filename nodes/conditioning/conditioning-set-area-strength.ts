import { defineNode } from '../contract/node-definition.js';
import { setValues } from '../runtime/diffusion/conditioning-ops.js';
import '../runtime/diffusion/types.js';

export const ConditioningSetAreaStrength = defineNode({
  classType: 'ConditioningSetAreaStrength',
  displayName: 'ConditioningSetAreaStrength',
  category: 'conditioning',
  description: "Sets the conditioning's weight where it overlaps other entries.",
  translations: {
    'zh-CN': {
      display_name: '条件区域强度',
      description: '设置条件与其他条目重叠处的权重。',
      inputs: { conditioning: '条件', strength: '强度' },
    },
  },
  inputs: {
    conditioning: { kind: 'SOCKET', type: 'CONDITIONING' },
    strength: { kind: 'FLOAT', default: 1, min: 0, max: 10, step: 0.01 },
  },
  outputs: [{ type: 'CONDITIONING', name: 'CONDITIONING' }],
  run: ({ conditioning, strength }) => ({ outputs: [setValues(conditioning, { strength })] }),
});

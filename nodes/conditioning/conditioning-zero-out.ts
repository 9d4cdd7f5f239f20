import { defineNode } from '../contract/node-definition.js';
import { zeroOutConditioning } from '../runtime/diffusion/conditioning-ops.js';
import '../runtime/diffusion/types.js';

export const ConditioningZeroOut = defineNode({
  classType: 'ConditioningZeroOut',
  displayName: 'ConditioningZeroOut',
  category: 'advanced/conditioning',
  description:
    'The same conditioning with all embeddings (and the pooled one) set to zero, e.g. for an empty negative.',
  translations: {
    'zh-CN': {
      display_name: '条件置零',
      description: '同一条件，但所有嵌入（及池化嵌入）都置为零，例如用作空的负面条件。',
      inputs: { conditioning: '条件' },
    },
  },
  inputs: { conditioning: { kind: 'SOCKET', type: 'CONDITIONING' } },
  outputs: [{ type: 'CONDITIONING', name: 'CONDITIONING' }],
  run: ({ conditioning }) => ({ outputs: [zeroOutConditioning(conditioning)] }),
});

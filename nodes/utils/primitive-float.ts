import { defineNode } from '../contract/node-definition.js';

/** ComfyUI bounds the value by `sys.maxsize` (2^63 − 1) either way. */
const MAX_SIZE = 9223372036854775807;

export const PrimitiveFloat = defineNode({
  classType: 'PrimitiveFloat',
  displayName: 'Float',
  category: 'utils/primitive',
  description: 'A number to feed into any FLOAT input.',
  translations: {
    'zh-CN': { display_name: '浮点数', description: '一个数值，可连接到任何 FLOAT 输入。', inputs: { value: '值' } },
  },
  inputs: {
    value: { kind: 'FLOAT', default: 0, min: -MAX_SIZE, max: MAX_SIZE, step: 0.1 },
  },
  outputs: [{ type: 'FLOAT', name: 'FLOAT' }],
  run: ({ value }) => ({ outputs: [value] }),
});

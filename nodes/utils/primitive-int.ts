import { defineNode } from '../contract/node-definition.js';

/** ComfyUI's `sys.maxsize` bounds (2^63 − 1): a double holds them only approximately, as KSampler's seed bound. */
const MAX_SIZE = 9223372036854775807;

export const PrimitiveInt = defineNode({
  classType: 'PrimitiveInt',
  displayName: 'Int',
  category: 'utils/primitive',
  description: 'A whole number to feed into any INT input.',
  translations: {
    'zh-CN': { display_name: '整数', description: '一个整数，可连接到任何 INT 输入。', inputs: { value: '值' } },
  },
  inputs: {
    value: { kind: 'INT', default: 0, min: -MAX_SIZE, max: MAX_SIZE, controlAfterGenerate: true },
  },
  outputs: [{ type: 'INT', name: 'INT' }],
  run: ({ value }) => ({ outputs: [value] }),
});

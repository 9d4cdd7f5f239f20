import { defineNode } from '../contract/node-definition.js';

export const PrimitiveBoolean = defineNode({
  classType: 'PrimitiveBoolean',
  displayName: 'Boolean',
  category: 'utils/primitive',
  description: 'A true or false value to feed into any BOOLEAN input.',
  translations: {
    'zh-CN': {
      display_name: '布尔值',
      description: '一个真或假的值，可连接到任何 BOOLEAN 输入。',
      inputs: { value: '值' },
    },
  },
  inputs: {
    value: { kind: 'BOOLEAN', default: false },
  },
  outputs: [{ type: 'BOOLEAN', name: 'BOOLEAN' }],
  run: ({ value }) => ({ outputs: [value] }),
});

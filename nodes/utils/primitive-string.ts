import { defineNode } from '../contract/node-definition.js';

export const PrimitiveString = defineNode({
  classType: 'PrimitiveString',
  displayName: 'String',
  category: 'utils/primitive',
  description: 'A one-line text to feed into any STRING input.',
  translations: {
    'zh-CN': { display_name: '字符串', description: '一行文本，可连接到任何 STRING 输入。', inputs: { value: '值' } },
  },
  inputs: {
    value: { kind: 'STRING', default: '' },
  },
  outputs: [{ type: 'STRING', name: 'STRING' }],
  run: ({ value }) => ({ outputs: [value] }),
});

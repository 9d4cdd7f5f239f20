import { defineNode } from '../contract/node-definition.js';

/** A text node for prompts: ComfyUI's `PrimitiveStringMultiline`, so its workflows load unchanged. */
export const PromptText = defineNode({
  classType: 'PrimitiveStringMultiline',
  displayName: 'Prompt Text',
  category: 'utils/primitive',
  description: 'A multiline text, e.g. a prompt, to feed into any STRING input.',
  translations: {
    'zh-CN': {
      display_name: '提示文本',
      description: '多行文本（例如提示词），可连接到任何 STRING 输入。',
      inputs: { value: '文本' },
    },
  },
  inputs: {
    value: { kind: 'STRING', multiline: true, default: '' },
  },
  outputs: [{ type: 'STRING', name: 'STRING' }],
  run: ({ value }) => ({ outputs: [value] }),
});

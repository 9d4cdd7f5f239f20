import { defineNode } from '../contract/node-definition.js';
import { encodePrompt } from '../runtime/diffusion/text-encoding.js';
import { textEncodeMemory } from '../runtime/diffusion/memory-estimates.js';

export const CLIPTextEncode = defineNode({
  classType: 'CLIPTextEncode',
  displayName: 'CLIP Text Encode (Prompt)',
  category: 'conditioning',
  description:
    "Encodes a prompt with the text encoder. (word:1.2) raises a word's weight, (word) by 1.1; prompts longer than 75 tokens are encoded in chunks.",
  translations: {
    'zh-CN': {
      tooltips: {
        text: '要编码的文本。',
        clip: '文本编码器。',
      },
      display_name: 'CLIP 文本编码（提示词）',
      description: '用文本编码器编码提示词。(词:1.2) 提高权重，(词) 提高 1.1 倍；超过 75 个词元的提示词分块编码。',
      inputs: { text: '文本', clip: 'CLIP' },
    },
  },
  inputs: {
    text: { kind: 'STRING', multiline: true, dynamicPrompts: true, tooltip: 'The text to encode.' },
    clip: { kind: 'SOCKET', type: 'CLIP', tooltip: 'The text encoder.' },
  },
  outputs: [{ type: 'CONDITIONING', name: 'CONDITIONING' }],
  estimate: ({ clip }) => textEncodeMemory(clip),
  run: async ({ text, clip }, ctx) => ({ outputs: [[await encodePrompt(clip, text, ctx.caches)]] }),
});

import { defineNode } from '../contract/node-definition.js';
import { describe, maskPlacement } from '../runtime/vision/describe.js';

export const DescribeImage = defineNode({
  classType: 'DescribeImage',
  displayName: 'Describe Image',
  category: 'vision',
  description:
    'Turns classifier labels (and where the mask lies) into a short text, e.g. "a red apple (92%), in the centre, covering 40% of the image".',
  translations: {
    'zh-CN': {
      display_name: '描述图像',
      description: '把分类结果（及遮罩位置）写成一句短文本，例如“红苹果（92%），位于中间，占画面 40%”。',
      inputs: { labels: '标签', language: '语言', mask: '遮罩' },
    },
  },
  inputs: {
    labels: { kind: 'SOCKET', type: 'LABELS' },
    language: { kind: 'COMBO', options: ['en', 'zh'] },
    mask: { kind: 'SOCKET', type: 'MASK', optional: true },
  },
  outputs: [{ type: 'STRING', name: 'text' }],
  outputNode: true,
  run: ({ labels, language, mask }) => {
    const lines = labels.map((item, index) =>
      describe(
        item,
        mask ? maskPlacement(mask, Math.min(index, mask.batch - 1)) : undefined,
        language === 'zh' ? 'zh' : 'en',
      ),
    );
    const text = lines.join('\n');
    return { outputs: [text], ui: { text: [text] } };
  },
});

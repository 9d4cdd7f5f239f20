import { defineNode } from '../contract/node-definition.js';
import { classify } from '../runtime/vision/vision-model.js';
import { VISION_RUN_BYTES } from '../runtime/vision/vision-memory.js';

export const ImageClassify = defineNode({
  classType: 'ImageClassify',
  displayName: 'Classify Image',
  category: 'vision',
  description:
    'The most likely labels of each image with their scores, as text for prompts and as LABELS shown as bars.',
  translations: {
    'zh-CN': {
      display_name: '图像分类',
      description: '每张图像最可能的标签及分数，输出为文本（可用于提示词）和以条形图显示的标签。',
      inputs: { image: '图像', classifier: '分类器', top_k: '前 K 个' },
    },
  },
  inputs: {
    image: { kind: 'SOCKET', type: 'IMAGE' },
    classifier: { kind: 'SOCKET', type: 'CLASSIFIER' },
    top_k: { kind: 'INT', default: 5, min: 1, max: 100 },
  },
  outputs: [
    { type: 'STRING', name: 'text' },
    { type: 'LABELS', name: 'labels' },
  ],
  outputNode: true,
  estimate: () => ({ outputs: [undefined, undefined], workingBytes: VISION_RUN_BYTES }),
  run: async ({ image, classifier, top_k }, ctx) => {
    const labels = await classify(classifier, image, top_k, ctx.caches);
    const text = labels
      .map((item) => item.map((entry) => `${entry.label} (${Math.round(entry.score * 100)}%)`).join(', '))
      .join('\n');
    return {
      outputs: [text, labels],
      ui: { labels: labels.map((item) => item.map((entry) => ({ ...entry }))), text: [text] },
    };
  },
});

import { defineNode } from '../contract/node-definition.js';
import { createImageBatch } from '../runtime/image/image-batch.js';
import { sameSizeImage } from '../runtime/image/image-memory.js';

export const ImageInvert = defineNode({
  classType: 'ImageInvert',
  displayName: 'Invert Image',
  category: 'image',
  description: 'Inverts the colours of images (1 − value for each channel).',
  translations: {
    'zh-CN': {
      display_name: '反转图像',
      description: '反转图像颜色（每个通道取 1 − 值）。',
      inputs: { image: '图像' },
    },
  },
  inputs: {
    image: { kind: 'SOCKET', type: 'IMAGE' },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ image }) => sameSizeImage(image),
  run: ({ image }) => {
    const out = createImageBatch(image.batch, image.height, image.width, image.channels);
    for (let i = 0; i < image.data.length; i++) out.data[i] = 1 - image.data[i]!;
    return { outputs: [out] };
  },
});

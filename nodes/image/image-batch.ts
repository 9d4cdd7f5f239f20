import { defineNode } from '../contract/node-definition.js';
import { batchImages, batchImagesMemory } from '../runtime/image/image-ops.js';

export const ImageBatch = defineNode({
  classType: 'ImageBatch',
  displayName: 'Batch Images',
  category: 'image',
  description:
    "Joins two image batches into one: image2 follows image1, resized to image1's size (bilinear, centre crop) when they differ.",
  translations: {
    'zh-CN': {
      display_name: '合并图像批次',
      description:
        '将两个图像批次合并为一个：image2 接在 image1 之后，尺寸不同时缩放到 image1 的尺寸（双线性，居中裁剪）。',
      inputs: { image1: '图像1', image2: '图像2' },
    },
  },
  inputs: {
    image1: { kind: 'SOCKET', type: 'IMAGE' },
    image2: { kind: 'SOCKET', type: 'IMAGE' },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ image1, image2 }) => batchImagesMemory(image1, image2),
  run: ({ image1, image2 }) => ({ outputs: [batchImages(image1, image2)] }),
});

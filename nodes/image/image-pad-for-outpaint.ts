import { defineNode } from '../contract/node-definition.js';
import { imageShape, maskShape } from '../runtime/image/image-memory.js';
import { padForOutpaint } from '../runtime/image/outpaint.js';

export const ImagePadForOutpaint = defineNode({
  classType: 'ImagePadForOutpaint',
  displayName: 'Pad Image for Outpainting',
  category: 'image',
  description:
    'Adds left/top/right/bottom pixels of 0.5 grey around the image. The mask is 1 on the new area and, inside the image, fades from the padded edges over feathering pixels.',
  translations: {
    'zh-CN': {
      display_name: '外扩绘制填充图像',
      description: '在图像四周加上 0.5 灰色的像素。遮罩在新增区域为 1，在图像内部自填充边缘起按羽化像素数渐变。',
      inputs: { image: '图像', left: '左', top: '上', right: '右', bottom: '下', feathering: '羽化' },
    },
  },
  inputs: {
    image: { kind: 'SOCKET', type: 'IMAGE' },
    left: { kind: 'INT', default: 0, min: 0, max: 16384, step: 8 },
    top: { kind: 'INT', default: 0, min: 0, max: 16384, step: 8 },
    right: { kind: 'INT', default: 0, min: 0, max: 16384, step: 8 },
    bottom: { kind: 'INT', default: 0, min: 0, max: 16384, step: 8 },
    feathering: { kind: 'INT', default: 40, min: 0, max: 16384, step: 1 },
  },
  outputs: [
    { type: 'IMAGE', name: 'IMAGE' },
    { type: 'MASK', name: 'MASK' },
  ],
  estimate: ({ image, left, top, right, bottom }) => {
    if (!image || left === undefined || top === undefined || right === undefined || bottom === undefined)
      return { outputs: [undefined, undefined], workingBytes: 0 };
    const height = image.height + top + bottom;
    const width = image.width + left + right;
    return {
      outputs: [imageShape(image.batch, height, width, image.channels), maskShape(1, height, width)],
      workingBytes: 0,
    };
  },
  run: ({ image, left, top, right, bottom, feathering }) => {
    const padded = padForOutpaint(image, { left, top, right, bottom }, feathering);
    return { outputs: [padded.image, padded.mask] };
  },
});

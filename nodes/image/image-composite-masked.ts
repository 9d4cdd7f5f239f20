import { defineNode } from '../contract/node-definition.js';
import { sameSizeImage } from '../runtime/image/image-memory.js';
import { compositeMasked } from '../runtime/image/masks.js';

export const ImageCompositeMasked = defineNode({
  classType: 'ImageCompositeMasked',
  displayName: 'ImageCompositeMasked',
  category: 'image',
  description: 'Pastes the source image onto the destination at x, y, through the mask when one is given.',
  translations: {
    'zh-CN': {
      display_name: '遮罩合成图像',
      description: '把源图像按遮罩贴到目标图像的 x, y 位置。',
      inputs: { destination: '目标', source: '源', x: 'x', y: 'y', resize_source: '缩放源图像', mask: '遮罩' },
    },
  },
  inputs: {
    destination: { kind: 'SOCKET', type: 'IMAGE' },
    source: { kind: 'SOCKET', type: 'IMAGE' },
    x: { kind: 'INT', default: 0, min: 0, max: 16384, step: 1 },
    y: { kind: 'INT', default: 0, min: 0, max: 16384, step: 1 },
    resize_source: { kind: 'BOOLEAN', default: false },
    mask: { kind: 'SOCKET', type: 'MASK', optional: true },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  // A resized source is made at the destination's size before it is pasted.
  estimate: ({ destination }) => ({
    ...sameSizeImage(destination),
    workingBytes: destination
      ? destination.batch * destination.height * destination.width * destination.channels * 4
      : 0,
  }),
  run: ({ destination, source, x, y, resize_source, mask }) => ({
    outputs: [compositeMasked(destination, source, x, y, resize_source, mask)],
  }),
});

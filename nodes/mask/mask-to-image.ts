import { defineNode } from '../contract/node-definition.js';
import { imageShape } from '../runtime/image/image-memory.js';
import { maskToImage } from '../runtime/image/masks.js';

export const MaskToImage = defineNode({
  classType: 'MaskToImage',
  displayName: 'Convert Mask to Image',
  category: 'mask',
  description: 'Turns a mask into a grey image.',
  translations: {
    'zh-CN': { display_name: '遮罩转图像', description: '把遮罩变成灰度图像。', inputs: { mask: '遮罩' } },
  },
  inputs: { mask: { kind: 'SOCKET', type: 'MASK' } },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ mask }) => ({
    outputs: [mask ? imageShape(mask.batch, mask.height, mask.width, 3) : undefined],
    workingBytes: 0,
  }),
  run: ({ mask }) => ({ outputs: [maskToImage(mask)] }),
});

import { defineNode } from '../contract/node-definition.js';
import { imageScaleMemory } from '../runtime/image/image-memory.js';
import { cropModes, resizeImageBatch, resolveTargetSize, upscaleMethods } from '../runtime/image/resize.js';

export const ImageScale = defineNode({
  classType: 'ImageScale',
  displayName: 'Upscale Image',
  category: 'image/upscaling',
  description:
    'Resizes images to a width and height; 0 keeps the aspect ratio. Center crop keeps the target aspect ratio without stretching.',
  translations: {
    'zh-CN': {
      display_name: '缩放图像',
      description: '将图像缩放到指定宽高；0 表示保持宽高比。居中裁剪可避免拉伸。',
      inputs: { image: '图像', upscale_method: '缩放方法', width: '宽度', height: '高度', crop: '裁剪' },
    },
  },
  inputs: {
    image: { kind: 'SOCKET', type: 'IMAGE' },
    upscale_method: { kind: 'COMBO', options: upscaleMethods },
    width: { kind: 'INT', default: 512, min: 0, max: 16384, step: 1 },
    height: { kind: 'INT', default: 512, min: 0, max: 16384, step: 1 },
    crop: { kind: 'COMBO', options: cropModes },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ image, width, height }) => imageScaleMemory(image, width, height),
  run: ({ image, upscale_method, width, height, crop }, ctx) => {
    const target = resolveTargetSize(image.width, image.height, width, height);
    // Large images take a while: report progress (and honour interrupts) every 64 rows.
    const onRows = (done: number, total: number): void => ctx.progress({ value: done, max: total });
    return {
      outputs: [resizeImageBatch(image, target.width, target.height, upscale_method, crop, onRows)],
    };
  },
});

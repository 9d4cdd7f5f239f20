import { defineNode } from '../contract/node-definition.js';
import { resizedImageMemory, scaleBySize } from '../runtime/image/image-ops.js';
import { resizeImageBatch, upscaleMethods } from '../runtime/image/resize.js';

export const ImageScaleBy = defineNode({
  classType: 'ImageScaleBy',
  displayName: 'Upscale Image By',
  category: 'image/upscaling',
  description: 'Resizes images by a factor: each side times scale_by, rounded.',
  translations: {
    'zh-CN': {
      display_name: '按系数缩放图像',
      description: '按系数缩放图像：每条边乘以 scale_by 后取整。',
      inputs: { image: '图像', upscale_method: '缩放方法', scale_by: '缩放系数' },
    },
  },
  inputs: {
    image: { kind: 'SOCKET', type: 'IMAGE' },
    upscale_method: { kind: 'COMBO', options: upscaleMethods },
    scale_by: { kind: 'FLOAT', default: 1.0, min: 0.01, max: 8.0, step: 0.01 },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ image, scale_by }) => {
    if (!image || scale_by === undefined) return { outputs: [undefined], workingBytes: 0 };
    const target = scaleBySize(image.width, image.height, scale_by);
    return resizedImageMemory(image, target.width, target.height);
  },
  run: ({ image, upscale_method, scale_by }, ctx) => {
    const target = scaleBySize(image.width, image.height, scale_by);
    if (target.width < 1 || target.height < 1)
      throw new Error(
        `ImageScaleBy: scale_by ${scale_by} makes the ${image.width}×${image.height} image ${target.width}×${target.height} px; each side must be at least 1`,
      );
    const onRows = (done: number, total: number): void => ctx.progress({ value: done, max: total });
    return { outputs: [resizeImageBatch(image, target.width, target.height, upscale_method, 'disabled', onRows)] };
  },
});

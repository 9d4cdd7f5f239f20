import { defineNode } from '../contract/node-definition.js';
import { resizedImageMemory, totalPixelsSize } from '../runtime/image/image-ops.js';
import { resizeImageBatch, upscaleMethods } from '../runtime/image/resize.js';

export const ImageScaleToTotalPixels = defineNode({
  classType: 'ImageScaleToTotalPixels',
  displayName: 'ImageScaleToTotalPixels',
  category: 'image/upscaling',
  description:
    'Resizes images to about megapixels × 1024² pixels, keeping the aspect ratio; each side is rounded to a multiple of resolution_steps.',
  translations: {
    'zh-CN': {
      display_name: '缩放图像到总像素',
      description: '将图像缩放到约 megapixels × 1024² 像素并保持宽高比；每条边取整为 resolution_steps 的倍数。',
      inputs: { image: '图像', upscale_method: '缩放方法', megapixels: '百万像素', resolution_steps: '分辨率步长' },
    },
  },
  inputs: {
    image: { kind: 'SOCKET', type: 'IMAGE' },
    upscale_method: { kind: 'COMBO', options: upscaleMethods },
    megapixels: { kind: 'FLOAT', default: 1.0, min: 0.01, max: 16.0, step: 0.01 },
    resolution_steps: { kind: 'INT', default: 1, min: 1, max: 256 },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ image, megapixels, resolution_steps }) => {
    if (!image || megapixels === undefined) return { outputs: [undefined], workingBytes: 0 };
    const target = totalPixelsSize(image.width, image.height, megapixels, resolution_steps ?? 1);
    return resizedImageMemory(image, target.width, target.height);
  },
  run: ({ image, upscale_method, megapixels, resolution_steps }, ctx) => {
    const target = totalPixelsSize(image.width, image.height, megapixels, resolution_steps);
    if (target.width < 1 || target.height < 1)
      throw new Error(
        `ImageScaleToTotalPixels: megapixels ${megapixels} with resolution_steps ${resolution_steps} makes the ${image.width}×${image.height} image ${target.width}×${target.height} px; each side must be at least 1`,
      );
    const onRows = (done: number, total: number): void => ctx.progress({ value: done, max: total });
    return { outputs: [resizeImageBatch(image, target.width, target.height, upscale_method, 'disabled', onRows)] };
  },
});

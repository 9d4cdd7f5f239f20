import { defineNode } from '../contract/node-definition.js';
import { sameSizeImage } from '../runtime/image/image-memory.js';
import { reflectPadProblem, sharpenImage } from '../runtime/image/image-filters.js';

export const ImageSharpen = defineNode({
  classType: 'ImageSharpen',
  displayName: 'ImageSharpen',
  category: 'image/postprocessing',
  description:
    'Unsharp mask: adds 10·alpha times the difference between the image and its Gaussian blur (as ImageBlur), clamped to 0..1.',
  translations: {
    'zh-CN': {
      display_name: '图像锐化',
      description: '反锐化掩模：加上图像与其高斯模糊（同图像模糊）之差的 10·alpha 倍，结果限制在 0..1。',
      inputs: { image: '图像', sharpen_radius: '锐化半径', sigma: 'Sigma', alpha: '强度' },
    },
  },
  inputs: {
    image: { kind: 'SOCKET', type: 'IMAGE' },
    sharpen_radius: { kind: 'INT', default: 1, min: 1, max: 31, step: 1 },
    sigma: { kind: 'FLOAT', default: 1.0, min: 0.1, max: 10.0, step: 0.01 },
    alpha: { kind: 'FLOAT', default: 1.0, min: 0.0, max: 5.0, step: 0.01 },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ image }) => ({
    ...sameSizeImage(image),
    workingBytes: image ? image.height * image.width * image.channels * 8 : 0,
  }),
  run: ({ image, sharpen_radius, sigma, alpha }) => {
    const problem = reflectPadProblem(image, sharpen_radius);
    if (problem) throw new Error(`ImageSharpen: sharpen_radius: ${problem}`);
    return { outputs: [sharpenImage(image, sharpen_radius, sigma, alpha)] };
  },
});

import { defineNode } from '../contract/node-definition.js';
import { sameSizeImage } from '../runtime/image/image-memory.js';
import { gaussianBlur, reflectPadProblem } from '../runtime/image/image-filters.js';

export const ImageBlur = defineNode({
  classType: 'ImageBlur',
  displayName: 'ImageBlur',
  category: 'image/postprocessing',
  description:
    'Gaussian blur: a (2·blur_radius + 1)² kernel whose taps span −1..1, with sigma in those units; edges are reflected.',
  translations: {
    'zh-CN': {
      display_name: '图像模糊',
      description: '高斯模糊：(2·blur_radius + 1)² 的卷积核，采样点分布在 −1..1，sigma 以此为单位；边缘做镜像填充。',
      inputs: { image: '图像', blur_radius: '模糊半径', sigma: 'Sigma' },
    },
  },
  inputs: {
    image: { kind: 'SOCKET', type: 'IMAGE' },
    blur_radius: { kind: 'INT', default: 1, min: 1, max: 31, step: 1 },
    sigma: { kind: 'FLOAT', default: 1.0, min: 0.1, max: 10.0, step: 0.1 },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ image }) => ({
    ...sameSizeImage(image),
    workingBytes: image ? image.height * image.width * image.channels * 8 : 0,
  }),
  run: ({ image, blur_radius, sigma }) => {
    const problem = reflectPadProblem(image, blur_radius);
    if (problem) throw new Error(`ImageBlur: blur_radius: ${problem}`);
    return { outputs: [gaussianBlur(image, blur_radius, sigma)] };
  },
});

import { defineNode } from '../contract/node-definition.js';
import { listImageFiles } from '../../media/image-files.js';
import { loadImageMemory } from '../runtime/image/image-memory.js';
import { loadImageMaskChannels, rasterChannelMask } from '../runtime/image/mask-ops.js';
import {
  inputImageFile,
  inputImageFingerprint,
  inputImageProblem,
  readInputImage,
} from '../runtime/image/input-image.js';

export const LoadImageMask = defineNode({
  classType: 'LoadImageMask',
  displayName: 'Load Image (as Mask)',
  category: 'mask',
  description:
    'Loads one channel of an image from the input folder as a mask; the alpha channel is inverted (1 − alpha).',
  translations: {
    'zh-CN': {
      display_name: '加载图像（作为遮罩）',
      description: '从输入文件夹加载图像的一个通道作为遮罩；alpha 通道取反（1 − alpha）。',
      inputs: { image: '图像', channel: '通道' },
    },
  },
  inputs: {
    image: { kind: 'COMBO', options: (env) => listImageFiles(env.inputDir), imageUpload: true },
    channel: { kind: 'COMBO', options: loadImageMaskChannels },
  },
  outputs: [{ type: 'MASK', name: 'MASK' }],
  validate: (inputs, env) => inputImageProblem(inputs.image, env),
  fingerprint: (inputs, env) => inputImageFingerprint(inputs.image, env),
  estimate: ({ image }, ctx) => {
    const file = image === undefined ? undefined : inputImageFile(ctx.env.inputDir, image);
    const memory = loadImageMemory(file?.ok ? file.value : undefined);
    return { ...memory, outputs: [memory.outputs[1]] };
  },
  run: ({ image, channel }, ctx) => {
    const decoded = readInputImage(image, ctx.env);
    if (!decoded.ok) throw new Error(`image: ${decoded.reason}`);
    return { outputs: [rasterChannelMask(decoded.value.raster, channel)] };
  },
});

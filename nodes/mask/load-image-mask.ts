import { readFileSync } from 'node:fs';
import { defineNode } from '../contract/node-definition.js';
import { decodeImage } from '../../media/decode-image.js';
import { fileExists, listImageFiles, sha256OfFile } from '../../media/image-files.js';
import { resolveInside } from '../../media/safe-path.js';
import { loadImageMemory } from '../runtime/image/image-memory.js';
import { loadImageMaskChannels, rasterChannelMask } from '../runtime/image/mask-ops.js';
import { err, type Result } from '../../shared/result.js';

/** The path of an image in the input folder, if it is there. */
function inputFile(inputDir: string, name: string): Result<string> {
  const resolved = resolveInside(inputDir, name);
  if (!resolved.ok) return resolved;
  if (!fileExists(resolved.value)) return err(`Invalid image file: ${name}`);
  return resolved;
}

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
  validate: (inputs, env) => {
    if (inputs.image === undefined) return undefined;
    const file = inputFile(env.inputDir, inputs.image);
    return file.ok ? undefined : file.reason;
  },
  fingerprint: (inputs, env) => {
    if (inputs.image === undefined) return '';
    const file = inputFile(env.inputDir, inputs.image);
    return file.ok ? sha256OfFile(file.value) : 'missing';
  },
  estimate: ({ image }, ctx) => {
    const file = image === undefined ? undefined : inputFile(ctx.env.inputDir, image);
    const memory = loadImageMemory(file?.ok ? file.value : undefined);
    return { ...memory, outputs: [memory.outputs[1]] };
  },
  run: ({ image, channel }, ctx) => {
    const file = inputFile(ctx.env.inputDir, image);
    if (!file.ok) throw new Error(`image: ${file.reason}`);
    // The same limits as uploads and LoadImage: the header is checked before pixels are allocated.
    const decoded = decodeImage(readFileSync(file.value), ctx.env.imageLimits);
    if (!decoded.ok) throw new Error(`image: ${image}: ${decoded.reason}`);
    return { outputs: [rasterChannelMask(decoded.value.raster, channel)] };
  },
});

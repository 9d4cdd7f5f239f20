import { defineNode } from '../contract/node-definition.js';
import { sameSizeImage } from '../runtime/image/image-memory.js';
import { ditherModes, quantizeImage } from '../runtime/image/quantize.js';

export const ImageQuantize = defineNode({
  classType: 'ImageQuantize',
  displayName: 'ImageQuantize',
  category: 'image/postprocessing',
  description:
    "Reduces each image to at most `colors` colours of its own median-cut palette (as PIL's quantize), optionally dithered: Floyd–Steinberg error diffusion or an ordered Bayer matrix of 2–16.",
  translations: {
    'zh-CN': {
      display_name: '图像量化',
      description:
        '把每张图像减少到其自身中位切分调色板中至多 colors 种颜色（同 PIL 的 quantize），可选抖动：Floyd–Steinberg 误差扩散或 2–16 阶 Bayer 有序抖动。',
      inputs: { image: '图像', colors: '颜色数', dither: '抖动' },
    },
  },
  inputs: {
    image: { kind: 'SOCKET', type: 'IMAGE' },
    colors: { kind: 'INT', default: 256, min: 1, max: 256, step: 1 },
    dither: { kind: 'COMBO', options: ditherModes },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ image }) => ({
    ...sameSizeImage(image, 3),
    // One image's bytes, packed keys and their sorted copy, its indices (and the Bayer copy), the colour lists and
    // the colour cache.
    workingBytes: image ? image.height * image.width * 16 + 8 * 1024 * 1024 : 0,
  }),
  run: ({ image, colors, dither }, ctx) => {
    // ComfyUI hands each image to PIL as mode RGB; an RGBA batch fails there too.
    if (image.channels !== 3)
      throw new Error(`ImageQuantize: image: needs 3 channels (RGB), this one has ${image.channels}`);
    // A megapixel takes a second or two: each image is a point where an interrupt takes effect.
    const beforeImage = (index: number): void => {
      ctx.throwIfInterrupted();
      ctx.progress({ value: index, max: image.batch });
    };
    return { outputs: [quantizeImage(image, colors, dither, beforeImage)] };
  },
});

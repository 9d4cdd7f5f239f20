import { defineNode } from '../contract/node-definition.js';
import { encodeSdxl } from '../runtime/diffusion/text-encoding.js';
import { textEncodeMemory } from '../runtime/diffusion/memory-estimates.js';
import '../runtime/diffusion/types.js';

const size = (fallback: number, tooltip: string) =>
  ({ kind: 'INT', default: fallback, min: 0, max: 16384, step: 1, tooltip }) as const;

export const CLIPTextEncodeSDXL = defineNode({
  classType: 'CLIPTextEncodeSDXL',
  displayName: 'CLIPTextEncodeSDXL',
  category: 'advanced/conditioning',
  description:
    "Encodes SDXL's two prompts apart (text_g with the large encoder, text_l with the small one) and sets the size conditioning SDXL was trained with: the original size, the crop and the target size.",
  translations: {
    'zh-CN': {
      tooltips: {
        clip: 'SDXL 基础模型的 CLIP（clip_l 和 clip_g）。',
        width: '告诉模型的原始图像宽度。',
        height: '告诉模型的原始图像高度。',
        crop_w: '从左边裁掉的像素。',
        crop_h: '从上边裁掉的像素。',
        target_width: '图像应有的宽度。',
        target_height: '图像应有的高度。',
        text_g: 'clip_g 的提示词。',
        text_l: 'clip_l 的提示词。',
      },
      display_name: 'CLIP 文本编码 (SDXL)',
      description:
        'SDXL 的两个提示词分别编码（text_g 用大编码器，text_l 用小编码器），并设置 SDXL 训练时的尺寸条件：原始尺寸、裁剪和目标尺寸。',
      inputs: {
        clip: 'CLIP',
        width: '宽度',
        height: '高度',
        crop_w: '裁剪宽度',
        crop_h: '裁剪高度',
        target_width: '目标宽度',
        target_height: '目标高度',
        text_g: '文本 G',
        text_l: '文本 L',
      },
    },
  },
  inputs: {
    clip: { kind: 'SOCKET', type: 'CLIP', tooltip: 'An SDXL base CLIP (clip_l and clip_g).' },
    width: size(1024, 'The original image width the model is told of.'),
    height: size(1024, 'The original image height the model is told of.'),
    crop_w: size(0, 'Pixels cropped from the left.'),
    crop_h: size(0, 'Pixels cropped from the top.'),
    target_width: size(1024, 'The width the image is meant to have.'),
    target_height: size(1024, 'The height the image is meant to have.'),
    text_g: { kind: 'STRING', multiline: true, dynamicPrompts: true, tooltip: 'The prompt for clip_g.' },
    text_l: { kind: 'STRING', multiline: true, dynamicPrompts: true, tooltip: 'The prompt for clip_l.' },
  },
  outputs: [{ type: 'CONDITIONING', name: 'CONDITIONING' }],
  estimate: ({ clip }) => textEncodeMemory(clip),
  run: async ({ clip, width, height, crop_w, crop_h, target_width, target_height, text_g, text_l }, ctx) => {
    const sdxl = clip.sdxl;
    if (!sdxl?.l)
      throw new Error(
        sdxl
          ? `CLIPTextEncodeSDXL: clip: ${clip.name} is an SDXL refiner CLIP (clip_g only, no clip_l for text_l); use CLIPTextEncodeSDXLRefiner`
          : `CLIPTextEncodeSDXL: clip: ${clip.name} has one text encoder; this node needs an SDXL CLIP (clip_l and clip_g)`,
      );
    const entry = await encodeSdxl(sdxl, clip.pipeline, { g: text_g, l: text_l }, ctx.caches);
    const sdxlSize = {
      width,
      height,
      cropW: crop_w,
      cropH: crop_h,
      targetWidth: target_width,
      targetHeight: target_height,
    };
    return { outputs: [[{ ...entry, sdxlSize }]] };
  },
});

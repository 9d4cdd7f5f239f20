import { defineNode } from './define-node.js';
import { imageShape, maskShape, sameSizeImage } from './runtime/image-memory.js';
import { compositeMasked, imageToMask, invertMask, joinImageWithAlpha, maskChannels, maskToImage, type MaskChannel } from './runtime/masks.js';

/** ComfyUI's mask and compositing nodes, with its class names and inputs. */

export const MaskToImage = defineNode({
  classType: 'MaskToImage',
  displayName: 'Convert Mask to Image',
  category: 'mask',
  description: 'Turns a mask into a grey image.',
  translations: { 'zh-CN': { display_name: '遮罩转图像', description: '把遮罩变成灰度图像。', inputs: { mask: '遮罩' } } },
  inputs: { mask: { kind: 'SOCKET', type: 'MASK' } },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ mask }) => ({ outputs: [mask ? imageShape(mask.batch, mask.height, mask.width, 3) : undefined], workingBytes: 0 }),
  run: async ({ mask }) => ({ outputs: [maskToImage(mask)] }),
});

export const ImageToMask = defineNode({
  classType: 'ImageToMask',
  displayName: 'Convert Image to Mask',
  category: 'mask',
  description: 'Takes one channel of an image as a mask.',
  translations: { 'zh-CN': { display_name: '图像转遮罩', description: '取图像的一个通道作为遮罩。', inputs: { image: '图像', channel: '通道' } } },
  inputs: { image: { kind: 'SOCKET', type: 'IMAGE' }, channel: { kind: 'COMBO', options: maskChannels } },
  outputs: [{ type: 'MASK', name: 'MASK' }],
  estimate: ({ image }) => ({ outputs: [image ? maskShape(image.batch, image.height, image.width) : undefined], workingBytes: 0 }),
  run: async ({ image, channel }) => ({ outputs: [imageToMask(image, channel as MaskChannel)] }),
});

export const InvertMask = defineNode({
  classType: 'InvertMask',
  displayName: 'Invert Mask',
  category: 'mask',
  description: 'Inverts a mask (1 − value).',
  translations: { 'zh-CN': { display_name: '反转遮罩', description: '反转遮罩（1 − 值）。', inputs: { mask: '遮罩' } } },
  inputs: { mask: { kind: 'SOCKET', type: 'MASK' } },
  outputs: [{ type: 'MASK', name: 'MASK' }],
  estimate: ({ mask }) => ({ outputs: [mask], workingBytes: 0 }),
  run: async ({ mask }) => ({ outputs: [invertMask(mask)] }),
});

export const JoinImageWithAlpha = defineNode({
  classType: 'JoinImageWithAlpha',
  displayName: 'Join Image with Alpha',
  category: 'mask/compositing',
  description: 'Makes a cut-out with transparency: alpha is 1 − the mask (ComfyUI\'s convention).',
  translations: { 'zh-CN': { display_name: '图像加透明通道', description: '生成带透明度的抠图：透明度为 1 − 遮罩（ComfyUI 约定）。', inputs: { image: '图像', alpha: '透明遮罩' } } },
  inputs: { image: { kind: 'SOCKET', type: 'IMAGE' }, alpha: { kind: 'SOCKET', type: 'MASK' } },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ image }) => sameSizeImage(image, 4),
  run: async ({ image, alpha }) => ({ outputs: [joinImageWithAlpha(image, alpha)] }),
});

export const ImageCompositeMasked = defineNode({
  classType: 'ImageCompositeMasked',
  displayName: 'ImageCompositeMasked',
  category: 'image',
  description: 'Pastes the source image onto the destination at x, y, through the mask when one is given.',
  translations: {
    'zh-CN': { display_name: '遮罩合成图像', description: '把源图像按遮罩贴到目标图像的 x, y 位置。', inputs: { destination: '目标', source: '源', x: 'x', y: 'y', resize_source: '缩放源图像', mask: '遮罩' } },
  },
  inputs: {
    destination: { kind: 'SOCKET', type: 'IMAGE' },
    source: { kind: 'SOCKET', type: 'IMAGE' },
    x: { kind: 'INT', default: 0, min: 0, max: 16384, step: 1 },
    y: { kind: 'INT', default: 0, min: 0, max: 16384, step: 1 },
    resize_source: { kind: 'BOOLEAN', default: false },
    mask: { kind: 'SOCKET', type: 'MASK', optional: true },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  // A resized source is made at the destination's size before it is pasted.
  estimate: ({ destination }) => ({ ...sameSizeImage(destination), workingBytes: destination ? destination.batch * destination.height * destination.width * destination.channels * 4 : 0 }),
  run: async ({ destination, source, x, y, resize_source, mask }) => ({ outputs: [compositeMasked(destination, source, x, y, resize_source, mask)] }),
});

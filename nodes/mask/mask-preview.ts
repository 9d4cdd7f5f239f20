import { defineNode } from '../contract/node-definition.js';
import { overlayMask } from '../runtime/image/masks.js';
import { saveImages } from '../runtime/image/save-images.js';
import { pngWritingMemory } from '../runtime/image/image-memory.js';

export const MaskPreview = defineNode({
  classType: 'MaskPreview',
  displayName: 'Mask Preview',
  category: 'mask',
  description: 'Shows a mask laid over its image in colour.',
  translations: {
    'zh-CN': {
      display_name: '遮罩预览',
      description: '把遮罩以彩色叠加在图像上显示。',
      inputs: { images: '图像', mask: '遮罩' },
    },
  },
  inputs: {
    images: { kind: 'SOCKET', type: 'IMAGE' },
    mask: { kind: 'SOCKET', type: 'MASK' },
  },
  outputs: [],
  outputNode: true,
  estimate: ({ images }) => ({
    ...pngWritingMemory(images),
    workingBytes:
      pngWritingMemory(images).workingBytes +
      (images ? images.batch * images.height * images.width * images.channels * 4 : 0),
  }),
  run: ({ images, mask }, ctx) => {
    const overlay = overlayMask(images, mask, [1, 0.15, 0.3]);
    const refs = saveImages({
      images: overlay,
      baseDir: ctx.env.tempDir,
      type: 'temp',
      prefix: `mask_preview_${ctx.nodeId}`,
      compressionLevel: 1,
      metadata: {},
    });
    return { outputs: [], ui: { images: refs } };
  },
});

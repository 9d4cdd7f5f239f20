import { randomBytes } from 'node:crypto';
import { defineNode } from '../contract/node-definition.js';
import { saveImages } from '../runtime/image/save-images.js';
import { pngWritingMemory } from '../runtime/image/image-memory.js';

function randomLetters(count: number): string {
  const alphabet = 'abcdefghijklmnopqrstupvxyz';
  return Array.from(randomBytes(count), (byte) => alphabet[byte % alphabet.length]).join('');
}

export const PreviewImage = defineNode({
  classType: 'PreviewImage',
  displayName: 'Preview Image',
  category: 'image',
  description:
    'Shows images in the editor without keeping them: they are written to the temp folder, which is emptied at start.',
  translations: {
    'zh-CN': {
      display_name: '预览图像',
      description: '在编辑器中显示图像而不保留：图像写入临时文件夹，启动时清空。',
      inputs: { images: '图像' },
    },
  },
  inputs: {
    images: { kind: 'SOCKET', type: 'IMAGE' },
  },
  outputs: [],
  outputNode: true,
  hidden: { prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' },
  estimate: ({ images }) => pngWritingMemory(images),
  run: ({ images }, ctx) => {
    const refs = saveImages({
      images,
      baseDir: ctx.env.tempDir,
      type: 'temp',
      prefix: `ComfyUI_temp_${randomLetters(5)}`,
      compressionLevel: 1,
      metadata: { prompt: ctx.prompt, ...(ctx.extraPngInfo ?? {}) },
    });
    return { outputs: [], ui: { images: refs } };
  },
});

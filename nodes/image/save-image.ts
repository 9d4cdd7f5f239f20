import { defineNode } from '../contract/node-definition.js';
import { saveImages } from '../runtime/image/save-images.js';
import { pngWritingMemory } from '../runtime/image/image-memory.js';

export const SaveImage = defineNode({
  classType: 'SaveImage',
  displayName: 'Save Image',
  category: 'image',
  description:
    'Saves images to the output folder as PNG, with the prompt and workflow embedded so they can be loaded again.',
  translations: {
    'zh-CN': {
      tooltips: {
        images: '要保存的图像。',
        filename_prefix:
          '保存文件的前缀。可包含 %width%、%height%、%year%、%month%、%day%、%hour%、%minute%、%second% 和子文件夹。',
      },
      display_name: '保存图像',
      description: '将图像以 PNG 保存到输出文件夹，并嵌入提示与工作流以便再次加载。',
      inputs: { images: '图像', filename_prefix: '文件名前缀' },
    },
  },
  inputs: {
    images: { kind: 'SOCKET', type: 'IMAGE', tooltip: 'The images to save.' },
    filename_prefix: {
      kind: 'STRING',
      default: 'ComfyUI',
      tooltip:
        'The prefix for the file to save. May contain %width%, %height%, %year%, %month%, %day%, %hour%, %minute%, %second% and a subfolder.',
    },
  },
  outputs: [],
  outputNode: true,
  hidden: { prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' },
  estimate: ({ images }) => pngWritingMemory(images),
  run: ({ images, filename_prefix }, ctx) => {
    const refs = saveImages({
      images,
      baseDir: ctx.env.outputDir,
      type: 'output',
      prefix: filename_prefix,
      compressionLevel: 4,
      metadata: { prompt: ctx.prompt, ...(ctx.extraPngInfo ?? {}) },
    });
    return { outputs: [], ui: { images: refs } };
  },
});

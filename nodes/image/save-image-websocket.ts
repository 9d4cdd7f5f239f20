import { defineNode } from '../contract/node-definition.js';
import { batchItemToRaster } from '../runtime/image/image-batch.js';
import { pngWritingMemory } from '../runtime/image/image-memory.js';

/**
 * ComfyUI's SaveImageWebsocket: sends each image to the prompt's client as a full-size PNG binary frame
 * (event 1, or 4 for clients that asked for metadata) and writes nothing to disk.
 */
export const SaveImageWebsocket = defineNode({
  classType: 'SaveImageWebsocket',
  displayName: 'Save Image (WebSocket)',
  category: 'api node/image',
  description: 'Sends the images over the WebSocket as PNG frames instead of saving them to disk; for API clients.',
  translations: {
    'zh-CN': {
      display_name: '保存图像（WebSocket）',
      description: '通过 WebSocket 以 PNG 帧发送图像而不写入磁盘，供 API 客户端使用。',
      inputs: { images: '图像' },
    },
  },
  inputs: {
    images: { kind: 'SOCKET', type: 'IMAGE' },
  },
  outputs: [],
  outputNode: true,
  // Its result is the frames it sends, so it runs every time (ComfyUI's IS_CHANGED returns the time).
  fingerprint: () => `${Date.now()}-${Math.random()}`,
  estimate: ({ images }) => pngWritingMemory(images),
  run: ({ images }, ctx) => {
    for (let index = 0; index < images.batch; index++) {
      ctx.progress({ value: index, max: images.batch, image: batchItemToRaster(images, index) });
    }
    return { outputs: [] };
  },
});

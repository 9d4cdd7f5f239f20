import { defineNode } from '../contract/node-definition.js';
import { latentOutput } from '../runtime/diffusion/latent-ops.js';
import { latentFromBatch } from '../runtime/diffusion/latent-batch.js';
import '../runtime/diffusion/types.js';

export const LatentFromBatch = defineNode({
  classType: 'LatentFromBatch',
  displayName: 'Latent From Batch',
  category: 'latent/batch',
  description: 'Takes `length` latents from the batch starting at `batch_index` (both held inside the batch).',
  translations: {
    'zh-CN': {
      display_name: '从批次取潜空间',
      description: '从批次的 batch_index 处开始取 length 个潜空间图像（超出范围时截到批次内）。',
      inputs: { samples: '潜空间', batch_index: '批次索引', length: '长度' },
    },
  },
  inputs: {
    samples: { kind: 'SOCKET', type: 'LATENT' },
    batch_index: { kind: 'INT', default: 0, min: 0, max: 63 },
    length: { kind: 'INT', default: 1, min: 1, max: 64 },
  },
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  estimate: ({ samples, batch_index, length }) => {
    if (!samples || batch_index === undefined || length === undefined) return latentOutput(undefined);
    const start = Math.min(samples.batch - 1, batch_index);
    return latentOutput({ ...samples, batch: Math.min(samples.batch - start, length) });
  },
  run: ({ samples, batch_index, length }) => ({
    outputs: [latentFromBatch(samples, batch_index, length)],
  }),
});

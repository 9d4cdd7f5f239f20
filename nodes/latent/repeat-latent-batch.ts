import { defineNode } from '../contract/node-definition.js';
import { latentOutput } from '../runtime/diffusion/latent-ops.js';
import { repeatLatent } from '../runtime/diffusion/latent-batch.js';
import '../runtime/diffusion/types.js';

export const RepeatLatentBatch = defineNode({
  classType: 'RepeatLatentBatch',
  displayName: 'Repeat Latent Batch',
  category: 'latent/batch',
  description: 'Repeats the whole latent batch the given number of times.',
  translations: {
    'zh-CN': {
      display_name: '重复潜空间批次',
      description: '将整个潜空间批次重复指定次数。',
      inputs: { samples: '潜空间', amount: '次数' },
    },
  },
  inputs: {
    samples: { kind: 'SOCKET', type: 'LATENT' },
    amount: { kind: 'INT', default: 1, min: 1, max: 64 },
  },
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  estimate: ({ samples, amount }) =>
    latentOutput(samples && amount !== undefined ? { ...samples, batch: samples.batch * amount } : undefined),
  run: ({ samples, amount }) => ({ outputs: [repeatLatent(samples, amount)] }),
});

import { defineNode } from '../contract/node-definition.js';
import { extendIntermediateSigmas, extendSpacings } from '../runtime/sampling/sigma-lists.js';
import { sigmasInput, sigmasResult, SIGMAS_CATEGORY, SIGMAS_CATEGORY_ZH, zhInputText } from './sigma-node-parts.js';

const inputs = {
  sigmas: sigmasInput,
  steps: {
    kind: 'INT',
    default: 2,
    min: 1,
    max: 100,
    tooltip: 'How many steps each chosen step becomes (1 keeps the list as it is).',
  },
  start_at_sigma: {
    kind: 'FLOAT',
    default: -1,
    min: -1,
    max: 20000,
    step: 0.01,
    round: false,
    tooltip: 'Only steps starting at or below this σ are split; -1: no upper bound.',
  },
  end_at_sigma: {
    kind: 'FLOAT',
    default: 12,
    min: 0,
    max: 20000,
    step: 0.01,
    round: false,
    tooltip: 'Only steps starting at or above this σ are split.',
  },
  spacing: {
    kind: 'COMBO',
    options: extendSpacings,
    tooltip:
      'Where the added σ fall within a step: evenly (linear), bunched towards its end (cosine) or its start (sine).',
  },
} as const;

export const ExtendIntermediateSigmas = defineNode({
  classType: 'ExtendIntermediateSigmas',
  displayName: 'ExtendIntermediateSigmas',
  category: SIGMAS_CATEGORY,
  description:
    'Splits each step that starts between end_at_sigma and start_at_sigma into several, by σ inserted between its two ends: more steps where the list is coarse.',
  translations: {
    'zh-CN': {
      display_name: '扩展中间 σ',
      description: '把起点 σ 在结束 σ 与起始 σ 之间的每一步拆成几步，在其两端之间插入 σ：在序列粗疏处增加步数。',
      category: SIGMAS_CATEGORY_ZH,
      ...zhInputText(
        Object.keys(inputs),
        { steps: '拆分步数', start_at_sigma: '起始 σ', end_at_sigma: '结束 σ', spacing: '间隔方式' },
        {
          steps: '每个选中的步拆成几步（1 表示保持不变）。',
          start_at_sigma: '只拆分起点 σ 不高于此值的步；-1 表示没有上限。',
          end_at_sigma: '只拆分起点 σ 不低于此值的步。',
          spacing: '新增的 σ 在一步中的位置：均匀（linear）、偏向步的末端（cosine）或偏向起点（sine）。',
        },
      ),
    },
  },
  inputs,
  outputs: [{ type: 'SIGMAS', name: 'SIGMAS' }],
  run: ({ sigmas, steps, start_at_sigma, end_at_sigma, spacing }) =>
    sigmasResult(extendIntermediateSigmas(sigmas, steps, start_at_sigma, end_at_sigma, spacing)),
});

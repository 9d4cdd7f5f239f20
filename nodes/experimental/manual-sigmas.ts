import { defineNode } from '../contract/node-definition.js';
import { parseSigmaList } from '../runtime/sampling/sigma-lists.js';
import '../runtime/sampling/custom-sampling-types.js';

const inputs = {
  sigmas: {
    kind: 'STRING',
    default: '1, 0.5',
    multiline: false,
    tooltip: 'The σ list, highest first, e.g. "14.6, 7, 3, 1, 0" for 4 steps; every number in the text is read.',
  },
} as const;

function problem(sigmas: string | undefined): string | undefined {
  if (sigmas === undefined) return undefined;
  const parsed = parseSigmaList(sigmas);
  return parsed.ok ? undefined : `ManualSigmas: sigmas: ${parsed.reason}`;
}

export const ManualSigmas = defineNode({
  classType: 'ManualSigmas',
  displayName: 'ManualSigmas',
  category: 'experimental/custom_sampling',
  description:
    'A σ list typed by hand, e.g. "14.6, 7, 3, 1, 0": each number in the text in turn (any separator), one step between each two.',
  translations: {
    'zh-CN': {
      display_name: '手动 σ 序列',
      description:
        '手动输入的 σ 序列，例如“14.6, 7, 3, 1, 0”：依次读取文本中的每个数（分隔符不限），每两个数之间为一步。',
      inputs: { sigmas: 'σ 序列' },
      tooltips: { sigmas: 'σ 序列，从高到低，例如“14.6, 7, 3, 1, 0”为 4 步；文本中的每个数都会被读取。' },
    },
  },
  inputs,
  outputs: [{ type: 'SIGMAS', name: 'SIGMAS' }],
  validate: ({ sigmas }) => problem(sigmas),
  run: ({ sigmas }) => {
    const parsed = parseSigmaList(sigmas);
    // A text that came through a link skips validation: the run names the node and field the same way.
    if (!parsed.ok) throw new Error(`ManualSigmas: sigmas: ${parsed.reason}`);
    // The same numbers for the editor's plot, as the σ nodes of sampling/ send them.
    return { outputs: [parsed.value], ui: { sigmas: [...parsed.value] } };
  },
});

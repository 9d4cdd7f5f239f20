import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { encodePng } from '../../media/png.js';
import { CYCLE_IDS_SHOWN, DETAIL_LINES_SHOWN, validatePrompt } from '../../server/prompt/validate.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { makeTestEnv } from '../helpers/env.js';
import { nodeErrorsOf } from '../helpers/validated.js';
import { invertChain } from '../helpers/prompts.js';

/** Validation of prompts no editor makes: ids named like Object.prototype members, chains and rings of 100,000. */

const env = makeTestEnv();
afterAll(() => env.cleanup());
writeFileSync(join(env.inputDir, 'in.png'), encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) }));
const registry = createRegistry();

const NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'] as const;

describe('ids and input names named like Object.prototype members', () => {
  for (const name of NAMES) {
    it(`${name}: an ordinary node id, input name and link target`, () => {
      const prompt: ApiPrompt = {
        [name]: { class_type: 'LoadImage', inputs: { image: 'in.png' } },
        '2': { class_type: 'ImageInvert', inputs: { image: [name, 0], [name]: 5 } },
        [`${name}-out`]: { class_type: 'PreviewImage', inputs: { images: ['2', 0] } },
      };
      const result = validatePrompt(prompt, registry, env);
      expect(result.ok).toBe(true);
      expect(result.ok && result.value.outputs).toEqual([`${name}-out`]);
      expect(result.ok && result.value.prompt['2']!.inputs.image).toEqual([name, 0]);
    });

    it(`${name}: a link to it when there is no such node is a bad link on the linking node`, () => {
      const result = validatePrompt(
        {
          '1': { class_type: 'ImageInvert', inputs: { image: [name, 0] } },
          '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
        },
        registry,
        env,
      );
      expect(result.ok).toBe(false);
      expect(Object.keys(nodeErrorsOf(result))).toEqual(['1']);
      expect(nodeErrorsOf(result)['1']!.errors[0]).toMatchObject({
        type: 'bad_linked_input',
        message: `Linked node #${name} does not exist`,
      });
    });

    it(`${name}: a node of that id with an error gets its own entry`, () => {
      const result = validatePrompt(
        {
          [name]: { class_type: 'LoadImage', inputs: { image: 'gone.png' } },
          '2': { class_type: 'PreviewImage', inputs: { images: [name, 0] } },
        },
        registry,
        env,
      );
      expect(Object.keys(nodeErrorsOf(result))).toEqual([name]);
      expect(Object.hasOwn(nodeErrorsOf(result), name)).toBe(true);
      // Read by a plain string key: typed by its literal, `name` would be Object.prototype's member.
      expect(nodeErrorsOf(result)[String(name)]).toMatchObject({ class_type: 'LoadImage', dependent_outputs: ['2'] });
    });
  }
});

describe('chains and rings of 100,000 nodes', () => {
  it('validates a chain', () => {
    const result = validatePrompt(invertChain(100_000, 'in.png'), registry, env);
    expect(result.ok).toBe(true);
    expect(result.ok && result.value.outputs).toEqual(['out']);
  });

  it('names the one node with an error, with its one dependent output', () => {
    const prompt = invertChain(100_000, 'in.png');
    prompt.n0!.inputs.image = 'gone.png';
    const result = validatePrompt(prompt, registry, env);
    expect(!result.ok && result.reason.error.type).toBe('prompt_outputs_failed_validation');
    expect(Object.keys(nodeErrorsOf(result))).toEqual(['n0']);
    expect(nodeErrorsOf(result).n0!.dependent_outputs).toEqual(['out']);
  });

  it('gives every node of a ring its cycle error, each a bounded size', () => {
    const prompt = invertChain(100_000, 'in.png');
    prompt.n0 = { class_type: 'ImageInvert', inputs: { image: ['n100000', 0] } };
    const result = validatePrompt(prompt, registry, env);
    expect(result.ok).toBe(false);
    expect(Object.keys(nodeErrorsOf(result))).toHaveLength(100_001);
    // The prompt's own error repeats the first hundred, not 20 MB of them.
    expect(!result.ok && result.reason.error.details.split('\n')).toHaveLength(DETAIL_LINES_SHOWN + 1);
    expect(!result.ok && result.reason.error.details).toMatch(/\n… and 99901 more in node_errors$/);
    const error = nodeErrorsOf(result).n5!.errors[0]!;
    expect(error.type).toBe('dependency_cycle');
    expect(error.extra_info).toMatchObject({ cycle_length: 100_001 });
    expect(error.extra_info.cycle).toHaveLength(CYCLE_IDS_SHOWN);
    expect(error.details).toBe(
      `node #n5 depends on itself through #n100000 → #n99999 → #n99998 → #n99997 → #n99996 → #n99995 → #n99994 → #n99993 → #n99992 → #n99991 → #n99990 → … 99989 more … → #n0 → #n100000`,
    );
  });
});

describe('results as before', () => {
  it('a short cycle is shown whole, as it was', () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'ImageInvert', inputs: { image: ['2', 0] } },
      '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
      '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'x' } },
    };
    const result = validatePrompt(prompt, registry, env);
    expect(nodeErrorsOf(result)['2']!.errors).toEqual([
      {
        type: 'dependency_cycle',
        message: 'Dependency cycle detected',
        details: 'node #2 depends on itself through #2 → #1 → #2',
        extra_info: { cycle: ['2', '1'] },
      },
    ]);
  });

  it('lists each failed output once per node, in output order, however often the node is reached', () => {
    // 1 (bad) feeds 2 and 3, both feed every output: each output reaches 1 twice.
    const prompt: ApiPrompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'gone.png' } },
      '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
      '3': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
    };
    for (const output of ['o1', 'o2', 'o3'])
      prompt[output] = { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: ['3', 0] } };
    const result = validatePrompt(prompt, registry, env);
    expect(Object.keys(nodeErrorsOf(result)).sort()).toEqual(['1', 'o1', 'o2', 'o3']);
    expect(nodeErrorsOf(result)['1']!.dependent_outputs).toEqual(['o1', 'o2', 'o3']);
  });
});

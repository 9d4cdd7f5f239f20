import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { parseOverride } from '../../server/cli/args.js';
import { applyOverrides, loadWorkflowFile } from '../../server/cli/load-workflow.js';
import { toLitegraph } from '../../shared/litegraph-export.js';
import { fromLitegraph } from '../../shared/litegraph-import.js';
import { postPromptBodySchema } from '../../shared/protocol.js';
import { compileWorkflow } from '../../shared/workflow-compile.js';
import {
  apiPromptSchema,
  parseWorkflowDocument,
  type ApiPrompt,
  type WorkflowEnvelope,
} from '../../shared/workflow.js';
import { makeTestEnv } from '../helpers/env.js';
import { stringContaining } from '../helpers/matchers.js';

/**
 * Ids, input names and class types named like Object.prototype members, and chains far longer than a workflow,
 * through the shared workflow code and the CLI: own properties only, loops instead of recursion.
 */

const env = makeTestEnv();
afterAll(() => env.cleanup());
const objectInfo = buildObjectInfo(createRegistry(), env);

function envelope(prompt: ApiPrompt): WorkflowEnvelope {
  return { version: 1, prompt, groups: [], reroutes: [] };
}

describe('the prompt schema and __proto__', () => {
  it('keeps constructor, toString… as ordinary node ids and input names', () => {
    const parsed = apiPromptSchema.safeParse(
      JSON.parse('{"constructor":{"class_type":"LoadImage","inputs":{"toString":1,"valueOf":["constructor",0]}}}'),
    );
    expect(parsed.success && parsed.data).toEqual({
      constructor: { class_type: 'LoadImage', inputs: { toString: 1, valueOf: ['constructor', 0] } },
    });
  });

  it('refuses __proto__ as a node id or an input name, naming it, where zod would drop it silently', () => {
    const asId = postPromptBodySchema.safeParse(
      JSON.parse('{"prompt":{"__proto__":{"class_type":"LoadImage","inputs":{}}}}'),
    );
    expect(asId.success).toBe(false);
    expect(asId.error?.issues[0]).toMatchObject({
      path: ['prompt', '__proto__'],
      message: stringContaining('"__proto__" cannot be a node id'),
    });
    const asInput = apiPromptSchema.safeParse(
      JSON.parse('{"1":{"class_type":"LoadImage","inputs":{"__proto__":{"polluted":true}}}}'),
    );
    expect(asInput.error?.issues[0]).toMatchObject({
      path: ['1', 'inputs', '__proto__'],
      message: stringContaining('an input name'),
    });
    const document = parseWorkflowDocument(
      JSON.parse('{"prompt":{"__proto__":{"class_type":"LoadImage","inputs":{}}}}'),
    );
    expect(!document.ok && document.reason).toContain('prompt.__proto__');
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('compileWorkflow', () => {
  it('takes prototype-named ids and class types like any other', () => {
    const prompt = compileWorkflow(
      envelope({
        constructor: { class_type: 'LoadImage', inputs: { image: 'a.png' } },
        // A computed key: under a literal `toString:` key TypeScript loses the contextual type, widening `mode: 4` to number.
        [String('toString')]: { class_type: 'valueOf', inputs: { image: ['constructor', 0] }, _meta: { mode: 4 } },
        '3': { class_type: 'PreviewImage', inputs: { images: ['toString', 0], hasOwnProperty: ['isPrototypeOf', 0] } },
      }),
      objectInfo,
    );
    // A bypassed node of an unknown class passes nothing through; a link to no node is dropped.
    expect(prompt).toEqual({
      constructor: { class_type: 'LoadImage', inputs: { image: 'a.png' } },
      '3': { class_type: 'PreviewImage', inputs: {} },
    });
  });

  it('passes links through a chain of 100,000 bypassed nodes, each point resolved once for many consumers', () => {
    const length = 100_000;
    const source: ApiPrompt = { n0: { class_type: 'LoadImage', inputs: { image: 'a.png' } } };
    for (let i = 1; i <= length; i++)
      source[`n${i}`] = { class_type: 'ImageInvert', inputs: { image: [`n${i - 1}`, 0] }, _meta: { mode: 4 } };
    for (let i = 0; i < 1_000; i++)
      source[`out${i}`] = { class_type: 'PreviewImage', inputs: { images: [`n${length - i}`, 0] } };
    const prompt = compileWorkflow(envelope(source), objectInfo);
    expect(Object.keys(prompt)).toHaveLength(1_001);
    expect(prompt.out0!.inputs.images).toEqual(['n0', 0]);
    expect(prompt.out999!.inputs.images).toEqual(['n0', 0]);
  });
});

describe('ComfyUI UI-format workflows', () => {
  it('refuses a node type named like a prototype member as unknown, and a node id __proto__', () => {
    const workflow = (id: number | string, type: string): unknown => ({
      nodes: [{ id, type, inputs: [], widgets_values: [] }],
      links: [],
    });
    expect(fromLitegraph(workflow(1, 'constructor'), objectInfo)).toEqual({
      ok: false,
      reason: 'this workflow uses node types Inkgraph does not have: constructor',
    });
    expect(fromLitegraph(workflow('__proto__', 'PreviewImage'), objectInfo)).toMatchObject({
      ok: false,
      reason: stringContaining('"__proto__"'),
    });
    const ordinary = fromLitegraph(workflow('toString', 'PreviewImage'), objectInfo);
    expect(ordinary.ok && Object.keys(ordinary.value.prompt)).toEqual(['toString']);
  });

  it('follows a chain of 100,000 Reroute nodes back to the producer', () => {
    const length = 100_000;
    const nodes: unknown[] = [{ id: 1, type: 'LoadImage', inputs: [], widgets_values: ['a.png', 'image'] }];
    const links: unknown[] = [];
    for (let i = 0; i < length; i++) {
      nodes.push({ id: i + 2, type: 'Reroute', inputs: [{ name: '', link: i + 1 }] });
      links.push([i + 1, i + 1, 0, i + 2, 0, 'IMAGE']);
    }
    nodes.push({ id: length + 2, type: 'PreviewImage', inputs: [{ name: 'images', link: length + 1 }] });
    links.push([length + 1, length + 1, 0, length + 2, 0, 'IMAGE']);
    const imported = fromLitegraph({ nodes, links }, objectInfo);
    expect(imported.ok && imported.value.prompt[String(length + 2)]!.inputs.images).toEqual(['1', 0]);
  });

  it('exports a 100,000-node chain with every output’s links, and skips classes named like prototype members', () => {
    const length = 100_000;
    const prompt: ApiPrompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'a.png' } },
      x: { class_type: 'toString', inputs: {} },
    };
    for (let i = 2; i <= length; i++)
      prompt[String(i)] = { class_type: 'ImageInvert', inputs: { image: [String(i - 1), 0] } };
    prompt[String(length + 1)] = { class_type: 'PreviewImage', inputs: { images: [String(length), 0] } };
    const exported = toLitegraph(envelope(prompt), objectInfo) as {
      last_node_id: number;
      nodes: { id: number; outputs: { links: number[] }[] }[];
      links: unknown[];
    };
    expect(exported.nodes).toHaveLength(length + 1);
    expect(exported.last_node_id).toBe(length + 1);
    expect(exported.links).toHaveLength(length);
    expect(exported.nodes[0]!.outputs[0]!.links).toEqual([1]);
    expect(exported.nodes[length - 1]!.outputs[0]!.links).toEqual([length]);
    const dangling = toLitegraph(
      envelope({ '1': { class_type: 'PreviewImage', inputs: { images: ['constructor', 0] } } }),
      objectInfo,
    ) as { links: unknown[][] };
    expect(dangling.links[0]!.at(-1)).toBe('IMAGE');
  });
});

describe('the CLI', () => {
  it('--set names a node that is not there, even one named like a prototype member', () => {
    const loaded = envelope({ '1': { class_type: 'LoadImage', inputs: { image: 'a.png' } } });
    expect(applyOverrides(loaded, [{ nodeId: 'constructor', input: 'image', value: 'b.png' }])).toMatchObject({
      ok: false,
      reason: stringContaining('has no node constructor'),
    });
    expect(applyOverrides(loaded, [{ nodeId: '1', input: '__proto__', value: { polluted: true } }])).toMatchObject({
      ok: false,
      reason: stringContaining('"__proto__" cannot be an input name'),
    });
    expect(applyOverrides(loaded, [{ nodeId: '1', input: 'toString', value: 2 }])).toMatchObject({
      ok: true,
      value: { prompt: { '1': { inputs: { image: 'a.png', toString: 2 } } } },
    });
  });

  it('refuses a --set value nested 100,000 deep', () => {
    expect(parseOverride(`1.image=${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toMatchObject({
      ok: false,
      reason: stringContaining('--set 1.image: the JSON nests deeper than 256 levels'),
    });
    expect(parseOverride('1.image=[[1]]')).toEqual({ ok: true, value: { nodeId: '1', input: 'image', value: [[1]] } });
  });

  it('refuses a workflow file nested 100,000 deep with the depth and where', () => {
    const file = join(env.root, 'deep.json');
    writeFileSync(
      file,
      `{"prompt":{"1":{"class_type":"LoadImage","inputs":{},"_meta":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}}}`,
    );
    expect(loadWorkflowFile(file, objectInfo)).toMatchObject({
      ok: false,
      reason: stringContaining('deeper than 256 levels (level 257 at prompt.1._meta.a.a'),
    });
  });
});

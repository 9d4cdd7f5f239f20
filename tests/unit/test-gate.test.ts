import { afterEach, describe, expect, it } from 'vitest';
import { allNodes, createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { TEST_GATES_ENV } from '../../nodes/testing/test-gate.js';
import { makeTestEnv } from '../helpers/env.js';

const env = makeTestEnv('inkgraph-gate-registry-');
const saved = process.env[TEST_GATES_ENV];
afterEach(() => {
  if (saved === undefined) delete process.env[TEST_GATES_ENV];
  else process.env[TEST_GATES_ENV] = saved;
});

describe('the TestGate node', () => {
  it('is not registered, nor in /object_info, unless INKGRAPH_TEST_GATES is set', () => {
    delete process.env[TEST_GATES_ENV];
    const registry = createRegistry();
    expect(registry.has('TestGate')).toBe(false);
    expect(Object.keys(buildObjectInfo(registry, env))).toEqual(allNodes.map((node) => node.classType));
  });

  it('is registered last (with TestTimer) when INKGRAPH_TEST_GATES names a folder', () => {
    process.env[TEST_GATES_ENV] = env.tempDir;
    const info = buildObjectInfo(createRegistry(), env);
    expect(Object.keys(info)).toEqual([...allNodes.map((node) => node.classType), 'TestGate', 'TestTimer']);
    expect(info.TestGate).toMatchObject({ output: ['*'], input: { required: { value: ['*', {}] } } });
  });
});

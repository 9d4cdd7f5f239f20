import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineNode, type ComboInput } from '../../nodes/contract/node-definition.js';
import type { NodeContext } from '../../nodes/contract/node-context.js';

const modes = ['fast', 'exact'] as const;
const shared: ComboInput<(typeof modes)[number]> = { kind: 'COMBO', options: modes };

/** What run saw, so the test can tell a synchronous run was awaited. */
const seen: unknown[] = [];

const Probe = defineNode({
  classType: 'Probe',
  displayName: 'Probe',
  category: 'test',
  description: 'Echoes its combo inputs.',
  inputs: {
    inline: { kind: 'COMBO', options: ['a', 'b'], default: 'a' },
    constant: { kind: 'COMBO', options: modes },
    shared,
    folder: { kind: 'COMBO', options: () => ['x.png', 'y.png'] },
  },
  outputs: [{ type: 'STRING', name: 'text' }],
  // Synchronous: the engine awaits a value as it awaits a promise.
  run: ({ inline, constant, shared, folder }) => {
    expectTypeOf(inline).toEqualTypeOf<'a' | 'b'>();
    expectTypeOf(constant).toEqualTypeOf<'fast' | 'exact'>();
    expectTypeOf(shared).toEqualTypeOf<'fast' | 'exact'>();
    // Options read from a folder are whatever the folder holds.
    expectTypeOf(folder).toEqualTypeOf<string>();
    seen.push(inline, constant, shared, folder);
    return { outputs: [`${inline} ${constant} ${shared} ${folder}`] };
  },
});

describe('defineNode', () => {
  it('types fixed combo options as their literal union, and a default must be one of them', () => {
    // @ts-expect-error 'c' is not one of the options
    const wrong: ComboInput<'a' | 'b'> = { kind: 'COMBO', options: ['a', 'b'], default: 'c' };
    expect(wrong.kind).toBe('COMBO');
  });

  it('runs a synchronous run through the erased class as a promise', async () => {
    const result = await Probe.run(
      { inline: 'b', constant: 'fast', shared: 'exact', folder: 'x.png' },
      {} as NodeContext,
    );
    expect(result).toEqual({ outputs: ['b fast exact x.png'] });
    expect(seen).toEqual(['b', 'fast', 'exact', 'x.png']);
  });
});

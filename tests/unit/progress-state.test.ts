import { describe, expect, it } from 'vitest';
import { ProgressStates } from '../../server/progress-state.js';
import type { ProgressNodeState } from '../../shared/protocol.js';

function state(node: string, value: number, kind: ProgressNodeState['state']): ProgressNodeState {
  return {
    value,
    max: 1,
    state: kind,
    node_id: node,
    prompt_id: 'p',
    display_node_id: node,
    parent_node_id: null,
    real_node_id: node,
  };
}

describe('ProgressStates', () => {
  it('lists every started node while there are few, as ComfyUI does', () => {
    const states = new ProgressStates(3);
    states.update(state('1', 0, 'running'));
    states.update(state('1', 1, 'finished'));
    const nodes = states.update(state('constructor', 0, 'running'));
    expect(Object.keys(nodes)).toEqual(['1', 'constructor']);
    expect(nodes['1']!.state).toBe('finished');
    expect(states.get('1')?.value).toBe(1);
  });

  it('past the limit, lists the running nodes and the one that changed: linear in a 5,000-node chain', () => {
    const states = new ProgressStates(256);
    let listed = 0;
    for (let i = 0; i < 5_000; i++) {
      listed += Object.keys(states.update(state(`n${i}`, 0, 'running'))).length;
      listed += Object.keys(states.update(state(`n${i}`, 1, 'finished'))).length;
    }
    // Listing all started nodes each time would be ~25 million entries.
    expect(listed).toBeLessThan(256 * 256 + 3 * 5_000);
    expect(states.update(state('n4999', 1, 'finished'))).toEqual({ n4999: state('n4999', 1, 'finished') });
    states.update(state('late', 0, 'running'));
    expect(Object.keys(states.update(state('other', 0, 'running')))).toEqual(['late', 'other']);
  });
});

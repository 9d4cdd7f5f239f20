import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../server/engine/engine-events.js';
import { ProgressBatcher } from '../../server/worker/progress-batcher.js';

function progress(value: number, max = 20, node = '3'): EngineEvent {
  return { type: 'progress', promptId: 'p', node, value, max, reportedAt: 0 };
}

/** A batcher on a clock the test moves, and what it sent (as `node:value` labels) after each post. */
function harness(maxDelayMs = 33) {
  let clock = 0;
  const sent: string[] = [];
  const batcher = new ProgressBatcher(
    (event) => sent.push(event.type === 'progress' ? `p${event.value}` : event.type),
    () => clock,
    maxDelayMs,
  );
  return {
    sent,
    at: (ms: number, event: EngineEvent): string[] => {
      clock = ms;
      batcher.post(event);
      return [...sent];
    },
  };
}

describe('progress events leave the engine thread in bursts, in order', () => {
  it('sends a node first progress at once, then holds steps only while the next is due within the delay', () => {
    const { at } = harness();
    expect(at(0, { type: 'node_start', promptId: 'p', node: '3' })).toEqual(['node_start']);
    expect(at(1, progress(1))).toEqual(['node_start', 'p1']);
    // 8 ms steps: held until holding the next would pass 33 ms after the oldest held.
    expect(at(9, progress(2))).toEqual(['node_start', 'p1']);
    expect(at(17, progress(3))).toEqual(['node_start', 'p1']);
    expect(at(25, progress(4))).toEqual(['node_start', 'p1']);
    expect(at(33, progress(5))).toEqual(['node_start', 'p1']);
    // Step 2 has waited 32 ms; step 7 would come 40 ms after it.
    expect(at(41, progress(6))).toEqual(['node_start', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    expect(at(49, progress(7))).toEqual(['node_start', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
  });

  it('sends slow steps at once, and the last step and any other event with everything held before them', () => {
    const slow = harness();
    slow.at(0, progress(1));
    expect(slow.at(40, progress(2))).toEqual(['p1', 'p2']);
    const fast = harness();
    fast.at(0, progress(1, 4));
    fast.at(1, progress(2, 4));
    expect(fast.at(2, progress(3, 4))).toEqual(['p1']);
    expect(fast.at(3, progress(4, 4))).toEqual(['p1', 'p2', 'p3', 'p4']);
    const interrupted = harness();
    interrupted.at(0, progress(1));
    interrupted.at(1, progress(2));
    expect(
      interrupted.at(2, { type: 'node_done', promptId: 'p', node: '3', ui: undefined, fromCache: false, ms: 2 }),
    ).toEqual(['p1', 'p2', 'node_done']);
  });

  it('starts timing again after another event: a new node first progress goes out at once', () => {
    const { at } = harness();
    at(0, progress(1));
    at(1, progress(2));
    at(2, { type: 'node_start', promptId: 'p', node: '8' });
    expect(at(3, progress(1, 20, '8'))).toEqual(['p1', 'p2', 'node_start', 'p1']);
  });
});

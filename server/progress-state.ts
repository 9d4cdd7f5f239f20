import type { ProgressNodeState } from '../shared/protocol.js';

/**
 * Up to this many started nodes, a `progress_state` message lists every one of them, as ComfyUI's does. Past it, it
 * lists the nodes still running and the one that changed: a run of n nodes sends 2n of these messages, and listing
 * all would be quadratic (a 5,000-node chain made ~5 GB of JSON and exhausted the heap).
 */
export const PROGRESS_STATE_FULL_LIMIT = 256;

/** The node states of one run, and what each `progress_state` message lists. */
export class ProgressStates {
  private readonly states = new Map<string, ProgressNodeState>();
  private readonly running = new Set<string>();

  constructor(private readonly fullLimit = PROGRESS_STATE_FULL_LIMIT) {}

  get(node: string): ProgressNodeState | undefined {
    return this.states.get(node);
  }

  /** Records a node's new state; returns the `nodes` of the message that announces it. */
  update(state: ProgressNodeState): Record<string, ProgressNodeState> {
    const node = state.node_id;
    this.states.set(node, state);
    if (state.state === 'running') this.running.add(node);
    else this.running.delete(node);
    const listed = this.states.size <= this.fullLimit ? this.states.keys() : new Set([...this.running, node]);
    const nodes: Record<string, ProgressNodeState> = {};
    for (const id of listed) nodes[id] = this.states.get(id)!;
    return nodes;
  }
}

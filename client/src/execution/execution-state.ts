import type { UiOutput, WsMessage } from '../../../shared/protocol.js';

/**
 * Run-time state of nodes (never part of the saved document): WebSocket messages in, per-node state out.
 * Pure; the store applies it to batches of messages.
 */

export type NodeStatus = 'queued' | 'running' | 'cached' | 'done' | 'error' | 'interrupted';

export interface NodeRunState {
  readonly status: NodeStatus;
  readonly value?: number;
  readonly max?: number;
  readonly startedAt?: number;
  readonly ms?: number;
  readonly error?: string;
  readonly output?: UiOutput;
  /** The prompt this state belongs to: a queued mark ends with its prompt's run. */
  readonly promptId?: string;
}

export interface ExecutionState {
  readonly promptId: string | undefined;
  readonly runningNode: string | undefined;
  readonly nodes: Readonly<Record<string, NodeRunState>>;
  readonly queueRemaining: number;
  /** Prompts whose run has ended (latest last), so a queued mark that arrives after its run's end is not made. */
  readonly finished: readonly string[];
}

export const initialExecutionState: ExecutionState = {
  promptId: undefined,
  runningNode: undefined,
  nodes: {},
  queueRemaining: 0,
  finished: [],
};

const FINISHED_KEPT = 64;

/**
 * Marks the nodes a queued prompt will run (see nodes-to-run.ts) as waiting. The answer to POST /prompt can come
 * after the run's first messages, or after its end: nodes this prompt already reached, or a finished prompt's
 * nodes, are left as they are.
 */
export function queued(state: ExecutionState, nodeIds: readonly string[], promptId: string): ExecutionState {
  if (state.finished.includes(promptId)) return state;
  const nodes = { ...state.nodes };
  for (const id of nodeIds) if (nodes[id]?.promptId !== promptId) nodes[id] = { status: 'queued', promptId };
  return withSubgraphNodes({ ...state, nodes });
}

/** A run has ended (success, error or interrupt): the nodes it left queued did not run and will not. */
function endRun(state: ExecutionState, nodes: Record<string, NodeRunState>, promptId: string): ExecutionState {
  for (const [id, node] of Object.entries(nodes))
    if (node.status === 'queued' && node.promptId === promptId) delete nodes[id];
  return { ...state, nodes, runningNode: undefined, finished: [...state.finished, promptId].slice(-FINISHED_KEPT) };
}

/** Nothing is queued or running any more (a pending prompt may have been deleted): no node waits. */
function clearQueued(nodes: Readonly<Record<string, NodeRunState>>): Readonly<Record<string, NodeRunState>> {
  if (!Object.values(nodes).some((node) => node.status === 'queued')) return nodes;
  return Object.fromEntries(Object.entries(nodes).filter(([, node]) => node.status !== 'queued'));
}

function finishRunning(state: ExecutionState, now: number, status: NodeStatus = 'done'): Record<string, NodeRunState> {
  const nodes = { ...state.nodes };
  const running = state.runningNode;
  const current = running ? nodes[running] : undefined;
  if (running && current?.status === 'running')
    nodes[running] = { ...current, status, ms: current.startedAt !== undefined ? now - current.startedAt : undefined };
  return nodes;
}

export function reduceExecution(state: ExecutionState, message: WsMessage, now: number): ExecutionState {
  switch (message.type) {
    case 'status': {
      const queueRemaining = message.data.status.exec_info.queue_remaining;
      return { ...state, queueRemaining, nodes: queueRemaining === 0 ? clearQueued(state.nodes) : state.nodes };
    }
    case 'execution_start':
      return { ...state, promptId: message.data.prompt_id, runningNode: undefined };
    case 'execution_cached': {
      const nodes = { ...state.nodes };
      for (const id of message.data.nodes)
        nodes[id] = { ...nodes[id], status: 'cached', promptId: message.data.prompt_id };
      return { ...state, nodes };
    }
    case 'executing': {
      const nodes = finishRunning(state, now);
      const node = message.data.node;
      if (node === null) return { ...state, nodes, runningNode: undefined };
      nodes[node] = {
        ...nodes[node],
        status: 'running',
        startedAt: now,
        value: undefined,
        max: undefined,
        error: undefined,
        promptId: message.data.prompt_id,
      };
      return { ...state, nodes, runningNode: node };
    }
    case 'progress': {
      const current = state.nodes[message.data.node];
      return {
        ...state,
        nodes: {
          ...state.nodes,
          [message.data.node]: {
            ...current,
            status: 'running',
            value: message.data.value,
            max: message.data.max,
            promptId: message.data.prompt_id,
          },
        },
      };
    }
    case 'executed': {
      const current = state.nodes[message.data.node];
      return {
        ...state,
        nodes: {
          ...state.nodes,
          [message.data.node]: {
            ...current,
            status: current?.status ?? 'done',
            promptId: message.data.prompt_id,
            ...(message.data.output ? { output: message.data.output } : {}),
          },
        },
      };
    }
    case 'execution_success':
      return endRun(state, finishRunning(state, now), message.data.prompt_id);
    case 'execution_error': {
      const nodes = finishRunning(state, now, 'error');
      nodes[message.data.node_id] = {
        ...nodes[message.data.node_id],
        status: 'error',
        error: `${message.data.exception_type}: ${message.data.exception_message}`,
        promptId: message.data.prompt_id,
      };
      return endRun(state, nodes, message.data.prompt_id);
    }
    case 'execution_interrupted': {
      const nodes = finishRunning(state, now, 'interrupted');
      nodes[message.data.node_id] = {
        ...nodes[message.data.node_id],
        status: 'interrupted',
        promptId: message.data.prompt_id,
      };
      return endRun(state, nodes, message.data.prompt_id);
    }
    case 'progress_state':
    case 'logs':
    case 'feature_flags':
      return state;
  }
}

export function reduceAll(state: ExecutionState, messages: readonly WsMessage[], now: number): ExecutionState {
  return withSubgraphNodes(messages.reduce((next, message) => reduceExecution(next, message, now), state));
}

/** Which status a subgraph node shows when its inner nodes differ: the first of these any of them has. */
const SHOWN_FIRST: readonly NodeStatus[] = ['error', 'interrupted', 'running', 'queued'];

/**
 * Subgraph nodes show what their inner nodes do: the server runs the flattened prompt (`instance:inner` ids, nested
 * `a:b:c`, as ComfyUI's frontend sends it), so each instance (`a`, and `a:b` inside it) gets a state made of its
 * inner nodes' states: an error or interruption, else running with its progress, else queued, else done (cached when
 * every inner node was).
 */
export function withSubgraphNodes(state: ExecutionState): ExecutionState {
  const inner = new Map<string, NodeRunState[]>();
  for (const [id, node] of Object.entries(state.nodes)) {
    const parts = id.split(':');
    for (let depth = 1; depth < parts.length; depth++) {
      const instance = parts.slice(0, depth).join(':');
      inner.set(instance, [...(inner.get(instance) ?? []), node]);
    }
  }
  if (inner.size === 0) return state;
  const nodes = { ...state.nodes };
  for (const [instance, states] of inner) {
    const status =
      SHOWN_FIRST.find((candidate) => states.some((node) => node.status === candidate)) ??
      (states.every((node) => node.status === 'cached') ? 'cached' : 'done');
    const shown = states.find((node) => node.status === status) ?? states[0]!;
    const { output: _output, ms: _ms, ...rest } = shown;
    // Done, it took as long as its inner nodes together.
    const times = states.flatMap((node) => (node.ms === undefined ? [] : [node.ms]));
    const ms = status === 'done' && times.length > 0 ? times.reduce((sum, each) => sum + each, 0) : shown.ms;
    nodes[instance] = { ...rest, status, ...(ms !== undefined ? { ms } : {}) };
  }
  return { ...state, nodes };
}

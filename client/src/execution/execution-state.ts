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
}

export interface ExecutionState {
  readonly promptId: string | undefined;
  readonly runningNode: string | undefined;
  readonly nodes: Readonly<Record<string, NodeRunState>>;
  readonly queueRemaining: number;
}

export const initialExecutionState: ExecutionState = {
  promptId: undefined,
  runningNode: undefined,
  nodes: {},
  queueRemaining: 0,
};

/** Marks the nodes of a queued prompt as waiting. */
export function queued(state: ExecutionState, nodeIds: readonly string[]): ExecutionState {
  const nodes = { ...state.nodes };
  for (const id of nodeIds) nodes[id] = { status: 'queued' };
  return { ...state, nodes };
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
    case 'status':
      return { ...state, queueRemaining: message.data.status.exec_info.queue_remaining };
    case 'execution_start':
      return { ...state, promptId: message.data.prompt_id, runningNode: undefined };
    case 'execution_cached': {
      const nodes = { ...state.nodes };
      for (const id of message.data.nodes) nodes[id] = { ...nodes[id], status: 'cached' };
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
      };
      return { ...state, nodes, runningNode: node };
    }
    case 'progress': {
      const current = state.nodes[message.data.node];
      return {
        ...state,
        nodes: {
          ...state.nodes,
          [message.data.node]: { ...current, status: 'running', value: message.data.value, max: message.data.max },
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
            ...(message.data.output ? { output: message.data.output } : {}),
          },
        },
      };
    }
    case 'execution_success':
      return { ...state, nodes: finishRunning(state, now), runningNode: undefined };
    case 'execution_error': {
      const nodes = finishRunning(state, now, 'error');
      nodes[message.data.node_id] = {
        ...nodes[message.data.node_id],
        status: 'error',
        error: `${message.data.exception_type}: ${message.data.exception_message}`,
      };
      return { ...state, nodes, runningNode: undefined };
    }
    case 'execution_interrupted': {
      const nodes = finishRunning(state, now, 'interrupted');
      nodes[message.data.node_id] = { ...nodes[message.data.node_id], status: 'interrupted' };
      return { ...state, nodes, runningNode: undefined };
    }
    case 'progress_state':
    case 'logs':
    case 'feature_flags':
      return state;
  }
}

export function reduceAll(state: ExecutionState, messages: readonly WsMessage[], now: number): ExecutionState {
  return messages.reduce((next, message) => reduceExecution(next, message, now), state);
}

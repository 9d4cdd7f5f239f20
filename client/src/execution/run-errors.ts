import type { HistoryEntry, NodeError } from '../../../shared/protocol.js';
import { isInkNode, type EditorGraph } from '../graph/types.js';
import { en, translate, type Locale, type MessageKey } from '../i18n/messages.js';
import type { Toast } from '../state/atoms.js';

/** What the editor tells a person about failed, refused and interrupted runs. Pure. */

/**
 * Errors by node with each subgraph node (`a` for `a:b`, also `a:b` for `a:b:c`) also marked, as a node of its own
 * naming the inner node and its message: the canvas shows the subgraph node, not the flattened ones inside it.
 */
export function withSubgraphErrors(
  errors: Readonly<Record<string, Record<string, string>>>,
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = { ...errors };
  for (const [id, messages] of Object.entries(errors)) {
    const parts = id.split(':');
    for (let depth = 1; depth < parts.length; depth++) {
      const instance = parts.slice(0, depth).join(':');
      const inner = parts.slice(depth).join(':');
      const lines = Object.entries(messages).map(
        ([input, message]) => `#${inner}${input ? ` ${input}` : ''}: ${message}`,
      );
      const own = out[instance]?.[''];
      out[instance] = { ...out[instance], '': [...(own ? [own] : []), ...lines].join('; ') };
    }
  }
  return out;
}

/** `#12 My title (SomeType)`, or `#12 SomeType` when the node keeps its type as its title. */
export function nodeLabel(graph: EditorGraph, id: string, type: string): string {
  const node = graph.nodes.find((candidate) => candidate.id === id);
  const title = isInkNode(node) ? node.data.title : '';
  return title && title !== type ? `#${id} ${title} (${type})` : `#${id} ${type}`;
}

export interface RuntimeErrorReport {
  /** The failing node, named as nodeLabel names it. */
  readonly node: string;
  readonly message: string;
  /** The node to show, when it is still in the graph. */
  readonly focusNode: string | undefined;
}

/** An execution_error from the WebSocket, for a toast that names its node and can show it. */
export function runtimeErrorReport(
  graph: EditorGraph,
  error: { node_id: string; node_type: string; exception_type: string; exception_message: string },
): RuntimeErrorReport {
  // A node inside a subgraph (`a:b`) is shown as the subgraph node it is in.
  const shown = [error.node_id, error.node_id.split(':')[0]!].find((id) => graph.nodes.some((node) => node.id === id));
  return {
    node: nodeLabel(graph, error.node_id, error.node_type),
    message: error.exception_type ? `${error.exception_type}: ${error.exception_message}` : error.exception_message,
    focusNode: shown,
  };
}

/** The toast for a run-time error: the node (title and type), the message, and a way to show the node. */
export function runtimeErrorToast(
  graph: EditorGraph,
  error: Parameters<typeof runtimeErrorReport>[1],
  locale: Locale,
): Omit<Toast, 'id'> {
  const report = runtimeErrorReport(graph, error);
  return {
    kind: 'error',
    text: `${translate(locale, 'nodeFailed', { node: report.node })}: ${report.message}`,
    ...(report.focusNode !== undefined ? { focusNode: report.focusNode } : {}),
  };
}

function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/**
 * `值小于最小值 — ` before the server's English message in a Chinese UI, for the ComfyUI error types the editor knows;
 * nothing in English (the server already says it) or for unknown types. The server's details stay as they are.
 */
export function errorTypePrefix(locale: Locale, type: string | undefined): string {
  const key = `error.${type ?? ''}`;
  return locale === 'zh-CN' && isMessageKey(key) ? `${translate(locale, key)} — ` : '';
}

/** One line per error of a refused prompt, each naming its node and field: `#3 KSampler · model: Required input is missing`. */
export function validationLines(
  graph: EditorGraph,
  nodeErrors: Record<string, NodeError>,
  locale: Locale = 'en',
): string[] {
  const lines: string[] = [];
  for (const [id, entry] of Object.entries(nodeErrors)) {
    const label = nodeLabel(graph, id, entry.class_type);
    for (const error of entry.errors) {
      const input = typeof error.extra_info.input_name === 'string' ? error.extra_info.input_name : '';
      const details = error.details && error.details !== input ? `: ${error.details}` : '';
      lines.push(
        `${label} · ${input ? `${input}: ` : ''}${errorTypePrefix(locale, error.type)}${error.message}${details}`,
      );
    }
  }
  return lines;
}

export type RunOutcome = 'success' | 'error' | 'interrupted';

/**
 * A history entry's outcome. ComfyUI records an interrupted run as status_str "error" with an
 * `execution_interrupted` message; that is a person's choice, not a failure.
 */
export function runOutcome(status: HistoryEntry['status']): RunOutcome {
  if (status.status_str === 'success') return 'success';
  return status.messages.some(([type]) => type === 'execution_interrupted') ? 'interrupted' : 'error';
}

/** The failure message a history entry recorded, for the row's tooltip. */
export function historyErrorMessage(status: HistoryEntry['status']): string | undefined {
  const failure = status.messages.find(([type]) => type === 'execution_error')?.[1];
  const message = failure?.exception_message;
  return typeof message === 'string' ? message : undefined;
}

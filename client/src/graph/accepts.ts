import type { NodeInfo } from '../../../shared/node-spec.js';
import { typesConnect } from './connection-rules.js';
import { nodeInputs, type WidgetField } from './node-factory.js';

/** Which of a node's inputs and outputs fit a wire of a given type, by the shared link rule. Pure. */

/** The first input (sockets before widgets) that accepts a value of `type`. */
export function inputAccepting(info: NodeInfo, type: string): WidgetField | undefined {
  const { widgets, sockets } = nodeInputs(info);
  return [...sockets, ...widgets].find((field) => typesConnect(type, field.type));
}

/** The index of the first output that can feed an input of `type`, or -1. */
export function outputFeeding(info: NodeInfo, type: string): number {
  return info.output.findIndex((output) => typesConnect(output, type));
}

/**
 * Whether a node can take the loose end of a wire: an input for a wire dragged from an output (`fromSource`),
 * an output for one dragged from an input. A wire of unknown type fits every node.
 */
export function fitsWire(info: NodeInfo, type: string | undefined, fromSource: boolean): boolean {
  if (!type) return true;
  return fromSource ? inputAccepting(info, type) !== undefined : outputFeeding(info, type) >= 0;
}

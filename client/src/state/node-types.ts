import type { ObjectInfo } from '../../../shared/node-spec.js';
import { withSubgraphTypes } from '../../../shared/subgraph.js';
import type { Definitions } from '../../../shared/workflow.js';

/**
 * The node types the editor offers: the server's, and the document's subgraphs as types of their own (so an
 * instance draws its sockets, links to it are checked and the library lists it). Kept per pair of inputs, so the
 * result stays the same object while neither changes (a graph edit that leaves the subgraphs alone re-renders
 * nothing that reads node types).
 */
let last: { info: ObjectInfo; definitions: Definitions | undefined; types: ObjectInfo } | undefined;

export function editorNodeTypes(
  info: ObjectInfo | undefined,
  definitions: Definitions | undefined,
): ObjectInfo | undefined {
  if (!info) return undefined;
  if (!definitions || definitions.subgraphs.length === 0) return info;
  if (last?.info === info && last.definitions === definitions) return last.types;
  last = { info, definitions, types: withSubgraphTypes(info, definitions.subgraphs) };
  return last.types;
}

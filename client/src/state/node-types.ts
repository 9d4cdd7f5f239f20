import type { NodeInfo, ObjectInfo } from '../../../shared/node-spec.js';
import { subgraphNodeInfo, withSubgraphTypes } from '../../../shared/subgraph.js';
import type { SubgraphDefinition } from '../../../shared/workflow.js';
import { translate } from '../i18n/messages.js';
import { SUBGRAPH_INPUT_TYPE, SUBGRAPH_OUTPUT_TYPE, type EditorGraph } from '../graph/types.js';

/**
 * The node types the editor offers: the server's, the document's subgraphs as types of their own (so an instance
 * draws its sockets, links to it are checked and the library lists it), and inside an open subgraph its boundary
 * nodes. Kept per inputs, so the result stays the same object while they do not change (a graph edit that leaves
 * the subgraphs alone re-renders nothing that reads node types).
 */
let last:
  | {
      info: ObjectInfo;
      definitions: unknown;
      blueprints: readonly SubgraphDefinition[];
      open: SubgraphDefinition | undefined;
      types: ObjectInfo;
    }
  | undefined;

/** Node -10 has the subgraph's inputs as its outputs; node -20 its outputs as its inputs. */
function boundaryTypes(definition: SubgraphDefinition): Record<string, NodeInfo> {
  const base = subgraphNodeInfo(definition);
  return {
    [SUBGRAPH_INPUT_TYPE]: {
      ...base,
      name: SUBGRAPH_INPUT_TYPE,
      input: { required: {} },
      input_order: { required: [] },
      output: definition.inputs.map((input) => input.type),
      output_is_list: definition.inputs.map(() => false),
      output_name: definition.inputs.map((input) => input.name),
      category: '',
    },
    [SUBGRAPH_OUTPUT_TYPE]: {
      ...base,
      name: SUBGRAPH_OUTPUT_TYPE,
      input: {
        required: Object.fromEntries(
          definition.outputs.map((output) => [output.name, [output.type, { forceInput: true }]]),
        ),
      },
      input_order: { required: definition.outputs.map((output) => output.name) },
      output: [],
      output_is_list: [],
      output_name: [],
      category: '',
    },
  };
}

export function editorNodeTypes(
  info: ObjectInfo | undefined,
  graph: Pick<EditorGraph, 'definitions' | 'scope'>,
  blueprints: readonly SubgraphDefinition[] = [],
): ObjectInfo | undefined {
  if (!info) return undefined;
  const definitions = graph.definitions;
  if ((!definitions || definitions.subgraphs.length === 0) && blueprints.length === 0) return info;
  const openId = graph.scope?.definitionId;
  const open = openId === undefined ? undefined : definitions?.subgraphs.find((each) => each.id === openId);
  if (last?.info === info && last.definitions === definitions && last.blueprints === blueprints && last.open === open)
    return last.types;
  const own = definitions?.subgraphs ?? [];
  const ids = new Set(own.map((definition) => definition.id));
  // The document's subgraphs, then the blueprints it does not have (the document's own version wins).
  const listed = [...own, ...blueprints.filter((definition) => !ids.has(definition.id))];
  const types = withSubgraphTypes(info, listed);
  // The library's category in the user's language (a subgraph's own category, if it has one, stays as it is).
  for (const definition of listed) {
    const entry = types[definition.id];
    if (entry && definition.category === undefined && entry.name === definition.id) {
      const key = ids.has(definition.id) ? 'subgraph.category' : 'subgraph.blueprints';
      types[definition.id] = {
        ...entry,
        category: translate('en', key),
        translations: { 'zh-CN': { category: translate('zh-CN', key) } },
      };
    }
  }
  // The boundary nodes are types only to be drawn: not enumerable, so the library and the search never list them.
  if (open)
    for (const [name, boundary] of Object.entries(boundaryTypes(open)))
      Object.defineProperty(types, name, { value: boundary, enumerable: false });
  last = { info, definitions, blueprints, open, types };
  return types;
}

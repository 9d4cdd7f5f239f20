import { inputSpecType, socketTypesMatch, type ObjectInfo } from './node-spec.js';
import { isLink, type ApiPrompt, type WorkflowEnvelope } from './workflow.js';

/**
 * Turns a saved workflow into the prompt the server runs, as ComfyUI's frontend does: muted nodes (mode 2) are
 * dropped with their links, bypassed nodes (mode 4) pass an input of the matching type through to their
 * consumers. Editor layout stays in `_meta` only as the title. Pure.
 */
export function compileWorkflow(envelope: WorkflowEnvelope, objectInfo: ObjectInfo): ApiPrompt {
  const source = envelope.prompt;
  const modeOf = (id: string): number => source[id]?._meta?.mode ?? 0;

  /** Where a link really comes from once bypassed nodes are passed through; undefined when it leads nowhere. */
  const resolve = (link: [string, number], seen: Set<string> = new Set()): [string, number] | undefined => {
    const [id, slot] = link;
    const node = source[id];
    if (!node || modeOf(id) === 2) return undefined;
    if (modeOf(id) !== 4) return [id, slot];
    if (seen.has(id)) return undefined;
    seen.add(id);
    const info = objectInfo[node.class_type];
    const outputType = info?.output[slot];
    if (!info || outputType === undefined) return undefined;
    const specs = { ...info.input.required, ...(info.input.optional ?? {}) };
    for (const [name, value] of Object.entries(node.inputs)) {
      const spec = specs[name];
      if (!spec || !isLink(value)) continue;
      if (socketTypesMatch(outputType, inputSpecType(spec))) return resolve([String(value[0]), value[1]], seen);
    }
    return undefined;
  };

  const prompt: ApiPrompt = {};
  for (const [id, node] of Object.entries(source)) {
    if (modeOf(id) === 2 || modeOf(id) === 4) continue;
    const inputs: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(node.inputs)) {
      if (isLink(value)) {
        const resolved = resolve([String(value[0]), value[1]]);
        if (resolved) inputs[name] = resolved;
      } else inputs[name] = value;
    }
    prompt[id] = { class_type: node.class_type, inputs, ...(node._meta?.title !== undefined ? { _meta: { title: node._meta.title } } : {}) };
  }
  return prompt;
}

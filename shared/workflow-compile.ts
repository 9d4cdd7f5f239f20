import { inputSpecType, socketTypesMatch, type ObjectInfo } from './node-spec.js';
import { ownValue } from './own-property.js';
import { definitionsOf, flattenSubgraphs } from './subgraph.js';
import { applyFilenameReplacements, replacementNodes } from './text-replacements.js';
import { isLink, type ApiPrompt, type WorkflowEnvelope } from './workflow.js';

/**
 * Turns a saved workflow into the prompt the server runs, as ComfyUI's frontend does: muted nodes (mode 2) are
 * dropped with their links, bypassed nodes (mode 4) pass an input of the matching type through to their
 * consumers; save nodes' `filename_prefix` has its `%Node.widget%` and `%date:…%` patterns expanded (against every
 * node, muted ones too, as the frontend looks them up; `now` is the date). Subgraph instances are first expanded into
 * their inner nodes (`instance:inner` ids). Editor layout stays in `_meta` only as the title. Pure but for the default
 * clock.
 */
export function compileWorkflow(envelope: WorkflowEnvelope, objectInfo: ObjectInfo, now: Date = new Date()): ApiPrompt {
  const source = flattenSubgraphs(envelope.prompt, definitionsOf(envelope));
  const modeOf = (id: string): number => ownValue(source, id)?._meta?.mode ?? 0;

  /**
   * Where a link really comes from once bypassed nodes are passed through; undefined when it leads nowhere. A loop,
   * not recursion (a chain of bypassed nodes is as long as the input makes it), and each point on a chain is
   * resolved once, however many consumers link to it.
   */
  const resolved = new Map<string, [string, number] | undefined>();
  const resolve = (link: [string, number]): [string, number] | undefined => {
    const passedThrough: string[] = [];
    const seen = new Set<string>();
    let [id, slot] = link;
    let answer: [string, number] | undefined;
    for (;;) {
      const key = `${slot}:${id}`;
      if (resolved.has(key)) {
        answer = resolved.get(key);
        break;
      }
      const node = ownValue(source, id);
      if (!node || modeOf(id) === 2) break;
      if (modeOf(id) !== 4) {
        answer = [id, slot];
        break;
      }
      if (seen.has(id)) break;
      seen.add(id);
      passedThrough.push(key);
      const info = ownValue(objectInfo, node.class_type);
      const outputType = info?.output[slot];
      if (!info || outputType === undefined) break;
      const specs = { ...info.input.required, ...(info.input.optional ?? {}) };
      let next: [string, number] | undefined;
      for (const [name, value] of Object.entries(node.inputs)) {
        const spec = ownValue(specs, name);
        if (spec && isLink(value) && socketTypesMatch(outputType, inputSpecType(spec))) {
          next = [String(value[0]), value[1]];
          break;
        }
      }
      if (!next) break;
      [id, slot] = next;
    }
    for (const key of passedThrough) resolved.set(key, answer);
    return answer;
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
    prompt[id] = {
      class_type: node.class_type,
      inputs,
      ...(node._meta?.title !== undefined ? { _meta: { title: node._meta.title } } : {}),
    };
  }
  const nodes = replacementNodes(source, (classType) => ownValue(objectInfo, classType)?.display_name);
  return applyFilenameReplacements(prompt, nodes, now);
}

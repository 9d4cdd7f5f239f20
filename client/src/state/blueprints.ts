import { atom } from 'jotai';
import { z } from 'zod';
import { subgraphDefinitionSchema, type SubgraphDefinition } from '../../../shared/workflow.js';

/**
 * Subgraph blueprints (ComfyUI's published subgraphs): definitions saved apart from any workflow, listed in the node
 * library of every workflow so they can be placed again. Kept in this browser's storage.
 */

const STORAGE_KEY = 'inkgraph.subgraph-blueprints';

function stored(): readonly SubgraphDefinition[] {
  try {
    const raw = globalThis.localStorage?.getItem(STORAGE_KEY);
    const parsed = raw ? z.array(subgraphDefinitionSchema).safeParse(JSON.parse(raw)) : undefined;
    return parsed?.success ? parsed.data : [];
  } catch {
    return [];
  }
}

const blueprintsBase = atom<readonly SubgraphDefinition[]>(stored());

export const blueprintsAtom = atom(
  (get) => get(blueprintsBase),
  (_get, set, blueprints: readonly SubgraphDefinition[]) => {
    set(blueprintsBase, blueprints);
    globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(blueprints));
  },
);

/** The definitions `id` needs: itself and every subgraph used inside it, nested. */
export function withDependencies(id: string, definitions: readonly SubgraphDefinition[]): SubgraphDefinition[] {
  const byId = new Map(definitions.map((definition) => [definition.id, definition]));
  const out = new Map<string, SubgraphDefinition>();
  const visit = (next: string): void => {
    const definition = byId.get(next);
    if (!definition || out.has(next)) return;
    out.set(next, definition);
    for (const node of Object.values(definition.nodes)) visit(node.class_type);
  };
  visit(id);
  return [...out.values()];
}

/** `blueprints` with `added` in (an existing blueprint of the same id is replaced). */
export function publish(
  blueprints: readonly SubgraphDefinition[],
  added: readonly SubgraphDefinition[],
): SubgraphDefinition[] {
  const ids = new Set(added.map((definition) => definition.id));
  return [...blueprints.filter((definition) => !ids.has(definition.id)), ...added];
}

/**
 * The definitions a graph lacks for the blueprint nodes placed in it (from the library), with what they use; empty
 * when it has them all.
 */
export function missingBlueprints(
  classTypes: Iterable<string>,
  have: readonly SubgraphDefinition[],
  blueprints: readonly SubgraphDefinition[],
): SubgraphDefinition[] {
  const present = new Set(have.map((definition) => definition.id));
  const wanted = new Map<string, SubgraphDefinition>();
  for (const type of classTypes)
    if (!present.has(type))
      for (const definition of withDependencies(type, blueprints))
        if (!present.has(definition.id)) wanted.set(definition.id, definition);
  return [...wanted.values()];
}

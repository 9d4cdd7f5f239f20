import { inputSpecOf, type ObjectInfo } from '../../../shared/node-spec.js';
import { ownValue } from '../../../shared/own-property.js';
import type { Definitions } from '../../../shared/workflow.js';
import type { SeedControl } from './types.js';

/** A seed after its control_after_generate: one on, one back, or anywhere in [min, max]; wrapping at the ends. */
export function stepSeed(
  current: number,
  control: Exclude<SeedControl, 'fixed'>,
  min: number,
  max: number,
  random: () => number,
): number {
  const next =
    control === 'increment'
      ? current + 1
      : control === 'decrement'
        ? current - 1
        : Math.floor(random() * (Math.min(max, 2 ** 50) - min + 1)) + min;
  return next > max ? min : next < min ? max : next;
}

function isControl(value: unknown): value is Exclude<SeedControl, 'fixed'> {
  return value === 'increment' || value === 'decrement' || value === 'randomize';
}

type ApiNodeOf = Definitions['subgraphs'][number]['nodes'][string];

/**
 * Each definition's nodes through `update`, which returns new inputs for a node or undefined to leave it; definitions
 * (and the whole) whose nodes all stay are the same objects, so an unchanged document compares equal by identity.
 */
function withNodeInputs(
  definitions: Definitions,
  update: (definitionId: string, id: string, node: ApiNodeOf) => ApiNodeOf['inputs'] | undefined,
): Definitions {
  let changed = false;
  const subgraphs = definitions.subgraphs.map((definition) => {
    let touched = false;
    const nodes = Object.fromEntries(
      Object.entries(definition.nodes).map(([id, node]) => {
        const inputs = update(definition.id, id, node);
        if (!inputs) return [id, node];
        touched = true;
        return [id, { ...node, inputs }];
      }),
    );
    if (!touched) return definition;
    changed = true;
    return { ...definition, nodes };
  });
  return changed ? { subgraphs } : definitions;
}

/** A node's seed controls, when it has any. */
function seedControls(node: ApiNodeOf): Record<string, unknown> | undefined {
  const controls: unknown = node._meta?.controls;
  return typeof controls === 'object' && controls !== null ? Object.fromEntries(Object.entries(controls)) : undefined;
}

/**
 * The seeds inside subgraphs moved by their controls before a run, as those of the shown nodes are (a subgraph's
 * nodes are shared by its instances, so they share the new seed). Unchanged definitions stay the same objects.
 */
export function seedSubgraphs(
  definitions: Definitions | undefined,
  objectInfo: ObjectInfo,
  random: () => number,
): Definitions | undefined {
  if (!definitions) return definitions;
  return withNodeInputs(definitions, (_definition, _id, node) => {
    const controls = seedControls(node);
    const info = ownValue(objectInfo, node.class_type);
    if (!info || (node._meta?.mode ?? 0) !== 0 || !controls) return undefined;
    const inputs = { ...node.inputs };
    let moved = false;
    for (const [name, control] of Object.entries(controls)) {
      if (!isControl(control)) continue;
      const spec = inputSpecOf(info, name);
      const min = spec?.[1]?.min ?? 0;
      const max = Math.min(spec?.[1]?.max ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      const current = inputs[name];
      // A seed fed by a link has no value of its own to move.
      if (current !== undefined && typeof current !== 'number') continue;
      inputs[name] = stepSeed(current ?? min, control, min, max, random);
      moved = true;
    }
    return moved ? inputs : undefined;
  });
}

/** The seeds a queued run used inside subgraphs, taken into the current definitions (other edits stay). */
export function adoptSubgraphSeeds(
  current: Definitions | undefined,
  seeded: Definitions | undefined,
): Definitions | undefined {
  if (!current || !seeded || current === seeded) return current;
  const sent = new Map(seeded.subgraphs.map((definition) => [definition.id, definition]));
  return withNodeInputs(current, (definitionId, id, node) => {
    const source = sent.get(definitionId);
    const controls = seedControls(node);
    const from = source ? ownValue(source.nodes, id) : undefined;
    if (!from || from === node || !controls) return undefined;
    const inputs = { ...node.inputs };
    let moved = false;
    for (const [name, control] of Object.entries(controls)) {
      const value = from.inputs[name];
      if (!isControl(control) || typeof value !== 'number' || typeof inputs[name] !== 'number') continue;
      if (inputs[name] === value) continue;
      inputs[name] = value;
      moved = true;
    }
    return moved ? inputs : undefined;
  });
}

/** The parts of ComfyUI's UI-format (litegraph) JSON that import reads. */

export interface LiteNode {
  id: number | string;
  type: string;
  pos?: [number, number] | { 0: number; 1: number };
  size?: [number, number] | { 0: number; 1: number };
  mode?: number;
  title?: string;
  flags?: { collapsed?: boolean };
  inputs?: { name: string; link: number | null; widget?: { name: string }; type?: string; label?: string }[];
  outputs?: { name?: string; type?: string; links?: number[] | null }[];
  widgets_values?: unknown[] | Record<string, unknown>;
  properties?: Record<string, unknown>;
  /** Set by legacy group node expansion: the instance's values for this inner node's widgets, by input name. */
  widgetOverrides?: Record<string, unknown>;
}

/** `[id, origin, origin slot, target, target slot, type]`. */
export type LinkTuple = [number, number | string, number, number | string, number, string];

export type LinkRecord =
  | LinkTuple
  | {
      id: number;
      origin_id: number | string;
      origin_slot: number;
      target_id?: number | string;
      target_slot?: number;
      type?: string;
    };

/** A position or size: litegraph writes `[x, y]`, older files `{0: x, 1: y}`. */
export function pair(value: unknown): [number, number] | undefined {
  if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'number') return [value[0], value[1]];
  if (typeof value === 'object' && value !== null && '0' in value && '1' in value)
    return [Number((value as Record<string, unknown>)['0']), Number((value as Record<string, unknown>)['1'])];
  return undefined;
}

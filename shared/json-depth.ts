/**
 * How deep parsed JSON nests, measured without recursion. JSON.parse itself takes any depth, but what comes after it
 * (JSON.stringify when a job is stored, structuredClone, schema checks) recurses and overflows the stack near 10,000
 * levels; a body is refused far below that, and far above any real workflow (a handful of levels).
 */
export const MAX_JSON_DEPTH = 256;

export interface TooDeep {
  /** The nesting reached: the limit plus one. */
  readonly depth: number;
  /** Where, as `extra_data.a.a…`: the first keys, then the last ones. */
  readonly path: string;
}

interface Container {
  readonly value: object;
  readonly depth: number;
  readonly parent: Container | undefined;
  readonly key: string | number | undefined;
}

const SEGMENTS_FIRST = 8;
const SEGMENTS_LAST = 2;
const KEY_SHOWN = 40;

function segment(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`;
  if (key.length <= KEY_SHOWN && /^[\w$-]+$/.test(key)) return `.${key}`;
  return `[${JSON.stringify(key.length > KEY_SHOWN ? `${key.slice(0, KEY_SHOWN)}…` : key)}]`;
}

function pathTo(container: Container): string {
  const segments: string[] = [];
  for (let at: Container | undefined = container; at?.key !== undefined; at = at.parent) segments.push(segment(at.key));
  segments.reverse();
  const shown =
    segments.length <= SEGMENTS_FIRST + SEGMENTS_LAST
      ? segments
      : [...segments.slice(0, SEGMENTS_FIRST), '.…', ...segments.slice(-SEGMENTS_LAST)];
  const path = shown.join('');
  return path.startsWith('.') ? path.slice(1) : path === '' ? '(the top level)' : path;
}

/** The first place where `value` nests more than `limit` objects and arrays deep, or undefined. */
export function findTooDeep(value: unknown, limit = MAX_JSON_DEPTH): TooDeep | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: Container[] = [{ value, depth: 1, parent: undefined, key: undefined }];
  while (stack.length > 0) {
    const container = stack.pop()!;
    if (container.depth > limit) return { depth: container.depth, path: pathTo(container) };
    const entries: [string | number, unknown][] = Array.isArray(container.value)
      ? container.value.map((item, index) => [index, item])
      : Object.entries(container.value);
    // Pushed last to first, so the walk takes keys in their order.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      if (typeof child === 'object' && child !== null)
        stack.push({ value: child, depth: container.depth + 1, parent: container, key });
    }
  }
  return undefined;
}

/** A refusal that says how deep and where. */
export function describeTooDeep(tooDeep: TooDeep, limit = MAX_JSON_DEPTH): string {
  return `the JSON nests deeper than ${limit} levels (level ${tooDeep.depth} at ${tooDeep.path}); workflows need a handful`;
}

/**
 * Whether two workflow documents say the same thing, for the unsaved-changes marker: compared as documents, not as
 * "an edit happened", so undoing back to the saved state reads as unmodified again (ComfyUI's ChangeTracker compares
 * graph states the same way and leaves the view, `extra.ds`, out). Pure.
 *
 * Left out: the viewport (panning is not an edit), key order, and the height of a node not resized by hand, which the
 * editor measures from its content. Such a node's width counts only where both documents store one: a document
 * written without sizes (an example, an API prompt) gets them when its nodes are first drawn, no change of the user's.
 */

export interface DocumentShape {
  /** The canonical text of everything compared but widths. */
  readonly key: string;
  /** Each stored node width, by where its `_meta` sits in the document. */
  readonly widths: Readonly<Record<string, number>>;
}

export function documentShape(document: unknown): DocumentShape {
  const widths: Record<string, number> = {};
  const key = JSON.stringify(canonical(document, '', widths));
  return { key, widths };
}

export function sameShape(a: DocumentShape, b: DocumentShape): boolean {
  if (a.key !== b.key) return false;
  for (const [path, width] of Object.entries(a.widths)) {
    const other = b.widths[path];
    if (other !== undefined && other !== width) return false;
  }
  return true;
}

export function sameDocument(a: unknown, b: unknown): boolean {
  return sameShape(documentShape(a), documentShape(b));
}

function canonical(value: unknown, path: string, widths: Record<string, number>): unknown {
  if (Array.isArray(value)) return value.map((item, index) => canonical(item, `${path}/${index}`, widths));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const entries: [string, unknown][] = Object.entries(value);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // A node resized by hand (`resized`) keeps the height it was given: then its whole size counts.
  const measuredSize = path.endsWith('/_meta') && !entries.some(([name, item]) => name === 'resized' && item === true);
  for (const [name, item] of entries) {
    if (path === '' && name === 'viewport') continue;
    if (item === undefined) continue;
    if (measuredSize && name === 'size') {
      // A node's `_meta.size` is [width, height]: the width is compared apart, the height not at all.
      if (Array.isArray(item) && typeof item[0] === 'number') widths[path] = item[0];
      continue;
    }
    out[name] = canonical(item, `${path}/${name}`, widths);
  }
  return out;
}

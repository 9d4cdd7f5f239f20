import type { EditorNode } from './types.js';

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Viewport {
  readonly x: number;
  readonly y: number;
  readonly zoom: number;
}

/** A node's box in flow coordinates: its measured size once drawn, else the size it was given, else a typical one. */
export function nodeRect(node: EditorNode): Rect {
  return {
    x: node.position.x,
    y: node.position.y,
    width: node.measured?.width ?? node.width ?? 300,
    height: node.measured?.height ?? node.height ?? 200,
  };
}

/** The box around the workflow's nodes (group frames aside: they only surround nodes), or undefined when empty. */
export function graphBounds(nodes: readonly EditorNode[]): Rect | undefined {
  const rects = nodes.filter((node) => node.type !== 'group' && !node.parentId).map(nodeRect);
  if (rects.length === 0) return undefined;
  const left = Math.min(...rects.map((rect) => rect.x));
  const top = Math.min(...rects.map((rect) => rect.y));
  const right = Math.max(...rects.map((rect) => rect.x + rect.width));
  const bottom = Math.max(...rects.map((rect) => rect.y + rect.height));
  return { x: left, y: top, width: right - left, height: bottom - top };
}

export interface ReadableViewOptions {
  /** Below this zoom 13 px node text is too small to read, so the view does not go under it. */
  readonly minZoom: number;
  readonly maxZoom: number;
  /** Screen pixels kept free around the graph. */
  readonly padding: number;
}

export const READABLE_VIEW: ReadableViewOptions = { minZoom: 0.85, maxZoom: 1, padding: 24 };

/**
 * The first view of a workflow: the whole graph centred when it fits at a readable zoom; otherwise the readable zoom
 * with the graph's top-left corner in view, where a workflow starts (its loaders and prompts), rather than its middle.
 */
export function readableViewport(
  bounds: Rect,
  screen: { readonly width: number; readonly height: number },
  options: ReadableViewOptions = READABLE_VIEW,
): Viewport {
  const room = {
    width: Math.max(1, screen.width - 2 * options.padding),
    height: Math.max(1, screen.height - 2 * options.padding),
  };
  const fit = Math.min(room.width / Math.max(1, bounds.width), room.height / Math.max(1, bounds.height));
  if (fit >= options.minZoom) {
    const zoom = Math.min(fit, options.maxZoom);
    return {
      zoom,
      x: screen.width / 2 - (bounds.x + bounds.width / 2) * zoom,
      y: screen.height / 2 - (bounds.y + bounds.height / 2) * zoom,
    };
  }
  const zoom = options.minZoom;
  // Along an axis that still fits, centre; along one that does not, start at the graph's edge.
  const along = (start: number, length: number, screenLength: number, roomLength: number): number =>
    length * zoom <= roomLength ? screenLength / 2 - (start + length / 2) * zoom : options.padding - start * zoom;
  return {
    zoom,
    x: along(bounds.x, bounds.width, screen.width, room.width),
    y: along(bounds.y, bounds.height, screen.height, room.height),
  };
}

/** Whether a flow-space box lies wholly inside what a viewport shows of a screen. */
export function isInView(
  rect: Rect,
  viewport: Viewport,
  screen: { readonly width: number; readonly height: number },
): boolean {
  const left = rect.x * viewport.zoom + viewport.x;
  const top = rect.y * viewport.zoom + viewport.y;
  return (
    left >= 0 &&
    top >= 0 &&
    left + rect.width * viewport.zoom <= screen.width &&
    top + rect.height * viewport.zoom <= screen.height
  );
}

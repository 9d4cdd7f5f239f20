import type { Rect, Viewport } from './readable-view.js';

/** How flow coordinates map onto the minimap: minimap = flow × scale + offset. */
export interface MinimapMapping {
  readonly scale: number;
  readonly offsetX: number;
  readonly offsetY: number;
}

/** Fits the graph's box, with a margin, centred in a minimap of the given size. */
export function minimapMapping(
  bounds: Rect,
  size: { readonly width: number; readonly height: number },
  margin = 8,
): MinimapMapping {
  const scale = Math.min(
    (size.width - 2 * margin) / Math.max(1, bounds.width),
    (size.height - 2 * margin) / Math.max(1, bounds.height),
  );
  return {
    scale,
    offsetX: (size.width - bounds.width * scale) / 2 - bounds.x * scale,
    offsetY: (size.height - bounds.height * scale) / 2 - bounds.y * scale,
  };
}

/** A flow-space box on the minimap. */
export function toMinimap(rect: Rect, mapping: MinimapMapping): Rect {
  return {
    x: rect.x * mapping.scale + mapping.offsetX,
    y: rect.y * mapping.scale + mapping.offsetY,
    width: rect.width * mapping.scale,
    height: rect.height * mapping.scale,
  };
}

/** The flow point under a minimap point. */
export function fromMinimap(point: { x: number; y: number }, mapping: MinimapMapping): { x: number; y: number } {
  return { x: (point.x - mapping.offsetX) / mapping.scale, y: (point.y - mapping.offsetY) / mapping.scale };
}

/** What a viewport shows of a screen, in flow coordinates. */
export function visibleFlowRect(viewport: Viewport, screen: { readonly width: number; readonly height: number }): Rect {
  return {
    x: -viewport.x / viewport.zoom,
    y: -viewport.y / viewport.zoom,
    width: screen.width / viewport.zoom,
    height: screen.height / viewport.zoom,
  };
}

/** The viewport that puts a flow point at the screen's centre, at a zoom. */
export function centredOn(
  point: { x: number; y: number },
  zoom: number,
  screen: { readonly width: number; readonly height: number },
): Viewport {
  return { zoom, x: screen.width / 2 - point.x * zoom, y: screen.height / 2 - point.y * zoom };
}

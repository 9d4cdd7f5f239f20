/**
 * The viewer's zoom and pan, as pure math: an image of `content` size drawn at `scale` with its top-left corner at
 * (`x`, `y`) in the pane. Zooming keeps the point under the cursor still.
 */

export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface ImageView {
  readonly scale: number;
  readonly x: number;
  readonly y: number;
}

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 64;
/** The factor one wheel notch (deltaY 100) zooms by. */
const WHEEL_STEP = 1.2;

const clampScale = (scale: number): number => Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));

/** `content` centred in `pane` at `scale`. */
export function centred(content: Size, pane: Size, scale: number): ImageView {
  const s = clampScale(scale);
  return { scale: s, x: (pane.width - content.width * s) / 2, y: (pane.height - content.height * s) / 2 };
}

/** The largest scale at which `content` fits in `pane` (with a margin) — small images are blown up to fill it. */
export function fitScale(content: Size, pane: Size, margin = 0): number {
  if (content.width <= 0 || content.height <= 0) return 1;
  const width = Math.max(1, pane.width - 2 * margin);
  const height = Math.max(1, pane.height - 2 * margin);
  return clampScale(Math.min(width / content.width, height / content.height));
}

/** The fitted view: the whole image, as large as the pane allows, centred. */
export function fit(content: Size, pane: Size, margin = 0): ImageView {
  return centred(content, pane, fitScale(content, pane, margin));
}

/** `view` zoomed to `scale`, keeping the pane point `at` over the same image point. */
export function zoomTo(view: ImageView, scale: number, at: Point): ImageView {
  const next = clampScale(scale);
  const ratio = next / view.scale;
  return { scale: next, x: at.x - (at.x - view.x) * ratio, y: at.y - (at.y - view.y) * ratio };
}

/** One wheel event: up (negative deltaY) zooms in, down zooms out, in proportion to the distance scrolled. */
export function wheelZoom(view: ImageView, deltaY: number, at: Point): ImageView {
  return zoomTo(view, view.scale * WHEEL_STEP ** (-deltaY / 100), at);
}

export function panBy(view: ImageView, dx: number, dy: number): ImageView {
  return { ...view, x: view.x + dx, y: view.y + dy };
}

/**
 * Double-click: from a fitted view to 1:1 about the cursor, and from any other view back to fit. A small image is
 * fitted above 1:1, so its double-click shows its real pixels.
 */
export function toggleActualSize(view: ImageView, content: Size, pane: Size, at: Point, margin = 0): ImageView {
  const fitted = fit(content, pane, margin);
  const isFitted = Math.abs(view.scale - fitted.scale) < 1e-6;
  // An image that fits at exactly 1:1 zooms to 2:1 instead, so the double-click always does something.
  return isFitted ? zoomTo(view, Math.abs(fitted.scale - 1) < 1e-6 ? 2 : 1, at) : fitted;
}

/** Pixelated drawing once the image is blown up, so a 64×64 image shows crisp pixels rather than a blur. */
export function pixelated(scale: number): boolean {
  return scale > 1;
}

/** The slider divider's position (0–1 across the pane) after a key or drag, kept inside the pane. */
export function dividerAt(position: number): number {
  return Math.min(1, Math.max(0, position));
}

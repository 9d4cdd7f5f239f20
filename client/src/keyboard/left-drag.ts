/**
 * What a left-drag on empty canvas does, a setting (the toolbar's More menu): ComfyUI pans with it and box-selects
 * with Ctrl (or Shift, which adds to the selection) held; `select` box-selects with a plain left-drag and pans with
 * the middle or right button, as Inkgraph always did. Pure.
 */

export const LEFT_DRAG_MODES = ['select', 'pan'] as const;
export type LeftDrag = (typeof LEFT_DRAG_MODES)[number];

/** React Flow's drag props for a mode. */
export interface CanvasDragProps {
  readonly selectionOnDrag: boolean;
  /** Mouse buttons that pan: 0 left, 1 middle, 2 right. */
  readonly panOnDrag: number[];
  /** Held, a drag on empty canvas box-selects whatever the mode. */
  readonly selectionKeyCode: string[];
}

export function canvasDragProps(mode: LeftDrag): CanvasDragProps {
  const selectionKeyCode = ['Control', 'Meta', 'Shift'];
  return mode === 'pan'
    ? { selectionOnDrag: false, panOnDrag: [0, 1, 2], selectionKeyCode }
    : { selectionOnDrag: true, panOnDrag: [1, 2], selectionKeyCode };
}

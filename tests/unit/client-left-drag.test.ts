import { describe, expect, it } from 'vitest';
import { canvasDragProps } from '../../client/src/keyboard/left-drag.js';

describe('the Left-drag setting', () => {
  it('pan: a left-drag pans, as in ComfyUI, and Ctrl or Shift held box-selects', () => {
    expect(canvasDragProps('pan')).toEqual({
      selectionOnDrag: false,
      panOnDrag: [0, 1, 2],
      selectionKeyCode: ['Control', 'Meta', 'Shift'],
    });
  });

  it('select: a left-drag box-selects; the middle and right buttons pan', () => {
    expect(canvasDragProps('select')).toMatchObject({ selectionOnDrag: true, panOnDrag: [1, 2] });
    expect(canvasDragProps('select').panOnDrag).not.toContain(0);
  });
});

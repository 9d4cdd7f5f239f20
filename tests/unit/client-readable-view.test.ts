import { describe, expect, it } from 'vitest';
import { graphBounds, isInView, readableViewport } from '../../client/src/graph/readable-view.js';
import type { EditorNode } from '../../client/src/graph/types.js';

function node(id: string, x: number, y: number, width = 300, height = 200): EditorNode {
  return {
    id,
    type: 'ink',
    position: { x, y },
    width,
    height,
    data: { classType: 'KSampler', title: id, widgets: {}, mode: 0, collapsed: false, controls: {} },
  };
}

const screen = { width: 1200, height: 800 };

describe('the first view of a workflow', () => {
  it('bounds the nodes, leaving group frames out', () => {
    expect(graphBounds([node('a', 40, 60), node('b', 900, 500, 200, 100)])).toEqual({
      x: 40,
      y: 60,
      width: 1060,
      height: 540,
    });
    expect(graphBounds([])).toBeUndefined();
  });

  it('centres a graph that fits at a readable zoom, never magnified past 1', () => {
    const view = readableViewport({ x: 0, y: 0, width: 400, height: 200 }, screen);
    expect(view.zoom).toBe(1);
    expect(view.x).toBe(400);
    expect(view.y).toBe(300);
  });

  it('shrinks a graph to fit while text stays readable', () => {
    const view = readableViewport({ x: 100, y: 100, width: 1200, height: 600 }, screen);
    expect(view.zoom).toBeCloseTo((1200 - 48) / 1200);
    expect(view.zoom).toBeGreaterThanOrEqual(0.85);
    expect(isInView({ x: 100, y: 100, width: 1200, height: 600 }, view, screen)).toBe(true);
  });

  it('shows a graph too big to read whole from its top-left corner at the readable zoom', () => {
    const bounds = { x: 40, y: 60, width: 2200, height: 1100 };
    const view = readableViewport(bounds, screen);
    expect(view.zoom).toBe(0.85);
    // The top-left node (where loaders and prompts sit) is on screen; the far corner is not.
    expect(isInView({ x: 40, y: 60, width: 300, height: 200 }, view, screen)).toBe(true);
    expect(view.x).toBeCloseTo(24 - 40 * 0.85);
    expect(view.y).toBeCloseTo(24 - 60 * 0.85);
    expect(isInView({ x: 1900, y: 900, width: 300, height: 200 }, view, screen)).toBe(false);
  });

  it('centres along the axis that fits and starts at the edge along the one that does not', () => {
    const view = readableViewport({ x: 0, y: 0, width: 3000, height: 300 }, screen);
    expect(view.zoom).toBe(0.85);
    expect(view.x).toBe(24);
    expect(view.y).toBeCloseTo(400 - 150 * 0.85);
  });
});

import { describe, expect, it } from 'vitest';
import { centredOn, fromMinimap, minimapMapping, toMinimap, visibleFlowRect } from '../../client/src/graph/minimap.js';

describe('the minimap', () => {
  const bounds = { x: 100, y: 50, width: 1000, height: 500 };
  const mapping = minimapMapping(bounds, { width: 200, height: 150 });

  it('fits the graph inside its margin, centred', () => {
    expect(mapping.scale).toBeCloseTo(184 / 1000);
    const shown = toMinimap(bounds, mapping);
    expect(shown.x).toBeCloseTo(8);
    expect(shown.x + shown.width).toBeCloseTo(192);
    expect(shown.y + shown.height / 2).toBeCloseTo(75);
  });

  it('maps a minimap point back to the flow point drawn there', () => {
    const flow = fromMinimap({ x: 100, y: 75 }, mapping);
    expect(flow.x).toBeCloseTo(600);
    expect(flow.y).toBeCloseTo(300);
  });

  it('frames what the view shows, and centres the view on a point', () => {
    const screen = { width: 1000, height: 800 };
    expect(visibleFlowRect({ x: -200, y: 100, zoom: 0.5 }, screen)).toEqual({
      x: 400,
      y: -200,
      width: 2000,
      height: 1600,
    });
    const view = centredOn({ x: 600, y: 300 }, 2, screen);
    const shown = visibleFlowRect(view, screen);
    expect(shown.x + shown.width / 2).toBeCloseTo(600);
    expect(shown.y + shown.height / 2).toBeCloseTo(300);
  });
});

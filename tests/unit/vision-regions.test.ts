import { describe, expect, it } from 'vitest';
import { labelRegions, unclipRegions } from '../../nodes/runtime/vision/regions.js';

function grid(rows: string[]): Uint8Array {
  return Uint8Array.from(rows.join(''), (char) => (char === '#' ? 1 : 0));
}

describe('regions', () => {
  it('labels 4-connected regions', () => {
    const { count, labels } = labelRegions(grid(['#..#', '#..#', '....']), 4, 3);
    expect(count).toBe(2);
    expect(labels[0]).toBe(labels[4]);
    expect(labels[3]).not.toBe(labels[0]);
  });

  it('grows each region by area × ratio / perimeter (DB unclip)', () => {
    // A 1×4 band: area 4, perimeter 10 → ratio 2.5 gives distance 1: the band grows one pixel around.
    const band = grid(['......', '.####.', '......']);
    const grown = unclipRegions(band, 6, 3, 2.5);
    expect(Array.from(grown)).toEqual(Array.from(grid(['######', '######', '######'])));
    // A small ratio keeps it as it is.
    expect(Array.from(unclipRegions(band, 6, 3, 1))).toEqual(Array.from(band));
  });
});

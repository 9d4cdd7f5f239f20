import { describe, expect, it } from 'vitest';
import { hexColorToInt, intToHexColor } from '../../client/src/graph/color-value.js';
import { EmptyImage } from '../../nodes/image/empty-image.js';
import { toNodeInfo } from '../../nodes/object-info.js';

const env = { inputDir: '/in', outputDir: '/out', tempDir: '/tmp', modelsDir: '/models' };

describe('display: "color"', () => {
  it('EmptyImage serves color as ComfyUI does: INT 0..0xFFFFFF with display "color"', () => {
    const info = toNodeInfo(EmptyImage, env);
    expect(info.input.required.color).toEqual([
      'INT',
      { default: 0, min: 0, max: 16777215, step: 1, display: 'color' },
    ]);
    // The other INT inputs keep the plain number display.
    expect(info.input.required.width?.[1]).not.toHaveProperty('display');
  });

  it('turns an integer colour into #rrggbb', () => {
    expect(intToHexColor(0)).toBe('#000000');
    expect(intToHexColor(0xff8000)).toBe('#ff8000');
    expect(intToHexColor(255)).toBe('#0000ff');
    expect(intToHexColor(16777215)).toBe('#ffffff');
  });

  it('clamps and truncates what is not a colour integer', () => {
    expect(intToHexColor(-5)).toBe('#000000');
    expect(intToHexColor(0x1000000)).toBe('#ffffff');
    expect(intToHexColor(4096.9)).toBe('#001000');
    expect(intToHexColor('12')).toBe('#000000');
    expect(intToHexColor(undefined)).toBe('#000000');
  });

  it('reads #rrggbb and #rgb back into the integer', () => {
    expect(hexColorToInt('#ff8000')).toBe(16744448);
    expect(hexColorToInt('#FFFFFF')).toBe(16777215);
    expect(hexColorToInt('#0a0')).toBe(0x00aa00);
    expect(hexColorToInt('ff8000')).toBeUndefined();
    expect(hexColorToInt('#12345')).toBeUndefined();
  });

  it('round-trips every channel boundary', () => {
    for (const value of [0, 1, 0xff, 0x100, 0xffff, 0x10000, 0x123456, 0xffffff])
      expect(hexColorToInt(intToHexColor(value))).toBe(value);
  });
});

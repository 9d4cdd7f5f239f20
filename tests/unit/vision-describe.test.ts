import { describe as suite, expect, it } from 'vitest';
import { describe, maskPlacement } from '../../nodes/runtime/vision/describe.js';

suite('DescribeImage text', () => {
  const mask = { batch: 1, height: 10, width: 10, data: new Float32Array(100) };
  for (let y = 3; y < 7; y++) for (let x = 3; x < 7; x++) mask.data[y * 10 + x] = 1;

  it('places the mask and measures its coverage', () => {
    expect(maskPlacement(mask, 0)).toEqual({ cell: 4, coverage: 0.16 });
    expect(maskPlacement({ ...mask, data: new Float32Array(100) }, 0)).toBeUndefined();
  });

  it('writes English and Chinese', () => {
    const labels = [{ label: 'apple', label_zh: '红苹果', score: 0.92 }];
    expect(describe(labels, { cell: 4, coverage: 0.4 }, 'en')).toBe(
      'an apple (92%), in the centre, covering 40% of the image',
    );
    expect(describe(labels, { cell: 2, coverage: 0.05 }, 'zh')).toBe('红苹果（92%），位于右上，占画面 5%');
    expect(describe([{ label: 'cat', score: 0.5 }], undefined, 'en')).toBe('a cat (50%)');
    expect(describe([], undefined, 'en')).toBe('an unrecognised object');
  });
});

import { describe, expect, it } from 'vitest';
import { widgetText } from '../../client/src/graph/widget-text.js';

describe('widget values as text', () => {
  it('shows scalars as they are and unset values as empty', () => {
    expect(widgetText('euler')).toBe('euler');
    expect(widgetText(7)).toBe('7');
    expect(widgetText(0.5)).toBe('0.5');
    expect(widgetText(false)).toBe('false');
    expect(widgetText(undefined)).toBe('');
    expect(widgetText(null)).toBe('');
  });

  it('shows a structured value as JSON, not [object Object]', () => {
    expect(widgetText({ a: 1 })).toBe('{"a":1}');
    expect(widgetText(['1', 0])).toBe('["1",0]');
  });
});

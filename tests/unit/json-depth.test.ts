import { describe, expect, it } from 'vitest';
import { parseJsonBody } from '../../server/http-errors.js';
import { findTooDeep, MAX_JSON_DEPTH } from '../../shared/json-depth.js';

function nestedObjects(depth: number, key = 'a'): string {
  return `${`{${JSON.stringify(key)}:`.repeat(depth)}1${'}'.repeat(depth)}`;
}

describe('findTooDeep', () => {
  it('accepts nesting up to the limit and finds the first level past it, with its path', () => {
    expect(findTooDeep(JSON.parse(nestedObjects(MAX_JSON_DEPTH)))).toBeUndefined();
    const found = findTooDeep(JSON.parse(nestedObjects(MAX_JSON_DEPTH + 1)));
    expect(found?.depth).toBe(MAX_JSON_DEPTH + 1);
    expect(found?.path).toBe('a.a.a.a.a.a.a.a.….a.a');
    expect(findTooDeep(1)).toBeUndefined();
    expect(findTooDeep(null)).toBeUndefined();
  });

  it('counts arrays and objects alike, and names array indices and odd keys', () => {
    expect(findTooDeep({ x: [[{ 'a b': [1] }]] }, 4)).toEqual({ depth: 5, path: 'x[0][0]["a b"]' });
    expect(findTooDeep([[[]]], 2)).toEqual({ depth: 3, path: '[0][0]' });
    expect(findTooDeep({ ['k'.repeat(100)]: {} }, 1)?.path).toBe(`["${'k'.repeat(40)}…"]`);
  });

  it('walks 100,000 levels of objects or arrays without recursion', () => {
    expect(findTooDeep(JSON.parse(nestedObjects(100_000)))?.depth).toBe(MAX_JSON_DEPTH + 1);
    expect(findTooDeep(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`))?.path).toMatch(/^\[0\]\[0\]/);
  });

  it('takes wide values: 100,000 siblings at one level', () => {
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, { v: [i] }]));
    expect(findTooDeep(wide)).toBeUndefined();
    expect(findTooDeep(wide, 2)).toEqual({ depth: 3, path: 'k0.v' });
  });

  it('sees a `__proto__` key as an ordinary one (JSON.parse makes it an own property)', () => {
    expect(findTooDeep(JSON.parse('{"__proto__":{"b":{}}}'), 2)).toEqual({ depth: 3, path: '__proto__.b' });
  });
});

describe('parseJsonBody', () => {
  it('refuses JSON nested past the limit as json_too_deep, saying how deep and where', () => {
    const body = parseJsonBody(Buffer.from(`{"prompt":{},"extra_data":${nestedObjects(100_000)}}`));
    expect(body).toMatchObject({ ok: false, reason: { type: 'json_too_deep' } });
    expect(!body.ok && body.reason.message).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
    expect(!body.ok && body.reason.message).toContain('extra_data.a.a');
  });

  it('still tells invalid JSON apart, and parses ordinary bodies', () => {
    expect(parseJsonBody(Buffer.from('{"a":'))).toMatchObject({ ok: false, reason: { type: 'invalid_json' } });
    expect(parseJsonBody(Buffer.from(nestedObjects(10)))).toMatchObject({ ok: true });
    expect(parseJsonBody(Buffer.from(' '))).toEqual({ ok: true, value: undefined });
  });
});

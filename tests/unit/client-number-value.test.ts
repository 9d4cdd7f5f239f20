import { describe, expect, it } from 'vitest';
import {
  committedNumber,
  normalizeNumber,
  numberRule,
  readNumberDraft,
  stepNumber,
} from '../../client/src/graph/number-value.js';

describe('number widget rule (as ComfyUI frontend useIntWidget / useFloatWidget)', () => {
  it('derives limits, step, rounding unit and precision from the input options', () => {
    expect(numberRule('INT', {})).toEqual({ kind: 'INT', min: 0, max: 2048, step: 1, round: undefined, precision: 0 });
    expect(numberRule('INT', { step: 0 }).step).toBe(1);
    // FLOAT's step defaults to 0.5, so values round to 0.1 with one decimal.
    expect(numberRule('FLOAT', {})).toMatchObject({ step: 0.5, round: 0.1, precision: 1 });
    expect(numberRule('FLOAT', { min: 0, max: 100, step: 0.1 })).toMatchObject({ round: 0.1, precision: 1 });
    expect(numberRule('FLOAT', { step: 0.01, round: 0.001 })).toMatchObject({ round: 0.001, precision: 2 });
    // A whole step leaves floats unrounded; `round: false` reads as no unit of its own.
    expect(numberRule('FLOAT', { step: 1 }).round).toBeUndefined();
    expect(numberRule('FLOAT', { step: 0.01, round: false }).round).toBe(0.01);
  });

  it('snaps INT values to the step offset by min, and clamps', () => {
    const steps = numberRule('INT', { min: 1, max: 10000 });
    expect(normalizeNumber(30, steps)).toBe(30);
    expect(normalizeNumber(7.5, steps)).toBe(8);
    expect(normalizeNumber(0, steps)).toBe(1);
    expect(normalizeNumber(123456, steps)).toBe(10000);
    const width = numberRule('INT', { min: 16, max: 16384, step: 8 });
    expect(normalizeNumber(515, width)).toBe(512);
    expect(normalizeNumber(517, width)).toBe(520);
    // min % step = 2: values land on 2, 7, 12, …
    const offset = numberRule('INT', { min: 2, max: 100, step: 5 });
    expect(normalizeNumber(13, offset)).toBe(12);
    expect(normalizeNumber(15, offset)).toBe(17);
  });

  it('rounds FLOAT values to the rounding unit and its precision, and clamps', () => {
    const cfg = numberRule('FLOAT', { min: 0, max: 100, step: 0.1, round: 0.01 });
    expect(normalizeNumber(7.5, cfg)).toBe(7.5);
    expect(normalizeNumber(7.54, cfg)).toBe(7.5);
    expect(normalizeNumber(7.56, cfg)).toBe(7.6);
    expect(normalizeNumber(-3, cfg)).toBe(0);
    expect(normalizeNumber(250, cfg)).toBe(100);
    const denoise = numberRule('FLOAT', { min: 0, max: 1, step: 0.01 });
    expect(normalizeNumber(0.333333, denoise)).toBe(0.33);
    expect(normalizeNumber(0.1 + 0.2, denoise)).toBe(0.3);
  });

  it('reads typed text as empty, partial, a number or invalid', () => {
    expect(readNumberDraft('')).toEqual({ kind: 'empty' });
    expect(readNumberDraft('  ')).toEqual({ kind: 'empty' });
    for (const text of ['-', '.', '-.', '1e', '2E-']) expect(readNumberDraft(text)).toEqual({ kind: 'partial' });
    expect(readNumberDraft('7.')).toEqual({ kind: 'number', value: 7 });
    expect(readNumberDraft(' 7.5 ')).toEqual({ kind: 'number', value: 7.5 });
    expect(readNumberDraft('.25')).toEqual({ kind: 'number', value: 0.25 });
    expect(readNumberDraft('-3')).toEqual({ kind: 'number', value: -3 });
    expect(readNumberDraft('1e3')).toEqual({ kind: 'number', value: 1000 });
    for (const text of ['abc', '3x', '1.2.3', '0x10', 'Infinity', '1e999', '--1'])
      expect(readNumberDraft(text)).toEqual({ kind: 'invalid' });
  });

  it('commits typed text as the snapped, clamped number, or nothing when it is not a number', () => {
    const steps = numberRule('INT', { min: 1, max: 10000 });
    expect(committedNumber('30', steps)).toBe(30);
    expect(committedNumber('', steps)).toBeUndefined();
    expect(committedNumber('-', steps)).toBeUndefined();
    expect(committedNumber('abc', steps)).toBeUndefined();
    const cfg = numberRule('FLOAT', { min: 0, max: 100, step: 0.1, round: 0.01 });
    expect(committedNumber('7.', cfg)).toBe(7);
    expect(committedNumber('7.5', cfg)).toBe(7.5);
  });

  it('steps up and down by the step, within the limits', () => {
    const cfg = numberRule('FLOAT', { min: 0, max: 100, step: 0.1, round: 0.01 });
    expect(stepNumber(7.5, 1, cfg)).toBe(7.6);
    expect(stepNumber(0, -1, cfg)).toBe(0);
    const width = numberRule('INT', { min: 16, max: 16384, step: 8 });
    expect(stepNumber(512, 1, width)).toBe(520);
  });
});

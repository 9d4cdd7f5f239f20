import type { InputOptions } from '../../../shared/node-spec.js';

/**
 * How a number widget turns typed text into the value it commits, as ComfyUI's frontend does (useIntWidget and
 * useFloatWidget): limits default to 0…2048; INT rounds to its step (offset by min % step), FLOAT rounds to
 * `round` or to the precision its step implies. Pure.
 */
export interface NumberRule {
  readonly kind: 'INT' | 'FLOAT';
  readonly min: number;
  readonly max: number;
  /** The step of one increment (ComfyUI's step2). */
  readonly step: number;
  /** FLOAT only: the unit values round to; undefined when they are not rounded. */
  readonly round: number | undefined;
  /** FLOAT only: decimals kept after rounding. */
  readonly precision: number;
}

export function numberRule(kind: 'INT' | 'FLOAT', options: InputOptions): NumberRule {
  const min = options.min ?? 0;
  const max = options.max ?? 2048;
  if (kind === 'INT') return { kind, min, max, step: options.step || 1, round: undefined, precision: 0 };
  const step = options.step ?? 0.5;
  const precision = Math.max(0, -Math.floor(Math.log10(step)));
  // An input's own `round` unit wins; otherwise (false too, as the frontend reads it) the step's precision rounds.
  const round = options.round ? options.round : precision ? 10 ** -precision : undefined;
  return { kind, min, max, step, round, precision };
}

/** A value snapped as the rule says and kept within its limits. */
export function normalizeNumber(value: number, rule: NumberRule): number {
  let snapped = value;
  if (rule.kind === 'INT') {
    if (rule.step === 1) snapped = Math.round(value);
    else {
      const offset = rule.min % rule.step;
      snapped = Math.round((value - offset) / rule.step) * rule.step + offset;
    }
  } else if (rule.round !== undefined) {
    snapped = Number((Math.round(value / rule.round) * rule.round).toFixed(rule.precision));
  }
  return Math.min(rule.max, Math.max(rule.min, snapped));
}

/** What a number field's text is while the user types: nothing yet, the start of a number, a number, or neither. */
export type NumberDraft =
  | { readonly kind: 'empty' }
  | { readonly kind: 'partial' }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'invalid' };

// Text that is not a number yet but becomes one as typing goes on: "-", ".", "-.", "1e", "1e-".
const PARTIAL = /^[+-]?\.?$|^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function readNumberDraft(text: string): NumberDraft {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'empty' };
  if (NUMBER.test(trimmed)) {
    const value = Number(trimmed);
    return Number.isFinite(value) ? { kind: 'number', value } : { kind: 'invalid' };
  }
  return PARTIAL.test(trimmed) ? { kind: 'partial' } : { kind: 'invalid' };
}

/** The value typed text commits, snapped and clamped; undefined when the text is not a number (nothing commits). */
export function committedNumber(text: string, rule: NumberRule): number | undefined {
  const draft = readNumberDraft(text);
  return draft.kind === 'number' ? normalizeNumber(draft.value, rule) : undefined;
}

/** One step up or down from a value, snapped and clamped (the arrow keys). */
export function stepNumber(value: number, direction: 1 | -1, rule: NumberRule): number {
  return normalizeNumber(value + direction * rule.step, rule);
}

import { err, ok, type Result } from '../../../shared/result.js';
import { roundHalfEven } from './round-half-even.js';

/**
 * Edits of a σ list, as ComfyUI's SplitSigmas, SplitSigmasDenoise, FlipSigmas, SetFirstSigma and
 * ExtendIntermediateSigmas make them, and ManualSigmas' reading of a typed list. Pure.
 */

/** σ_0…σ_step and σ_step…: the two halves share σ_step, so a second sampler starts where the first stopped. */
export function splitSigmas(sigmas: readonly number[], step: number): [number[], number[]] {
  return [sigmas.slice(0, step + 1), sigmas.slice(step)];
}

/**
 * Split so the low half has the last round(steps·denoise) steps (Python's round, halves to even). As in ComfyUI, a
 * denoise that rounds to no steps leaves the high half empty (its slice `[:-0]`) and the low half the last σ.
 */
export function splitSigmasDenoise(sigmas: readonly number[], denoise: number): [number[], number[]] {
  const steps = Math.max(sigmas.length - 1, 0);
  const low = roundHalfEven(steps * denoise);
  return [low === 0 ? [] : sigmas.slice(0, -low), sigmas.slice(-(low + 1))];
}

/** The list reversed, for rising schedules (unsampling); a leading 0 becomes 0.0001, as a sampler cannot start at 0. */
export function flipSigmas(sigmas: readonly number[]): number[] {
  const flipped = [...sigmas].reverse();
  if (flipped[0] === 0) flipped[0] = 0.0001;
  return flipped;
}

/** The list with its first σ replaced (e.g. a higher start than the schedule's, for more noise); empty stays empty. */
export function setFirstSigma(sigmas: readonly number[], sigma: number): number[] {
  return sigmas.length === 0 ? [] : [sigma, ...sigmas.slice(1)];
}

export const extendSpacings = ['linear', 'cosine', 'sine'] as const;
export type ExtendSpacing = (typeof extendSpacings)[number];

/**
 * Where the inserted σ fall within a step, as fractions of the way from σ_i to σ_i+1. ComfyUI's names: 'cosine' is
 * sin(xπ/2), bunched towards σ_i+1, and 'sine' is 1 − cos(xπ/2), bunched towards σ_i.
 */
const spacingCurves: Readonly<Record<ExtendSpacing, (x: number) => number>> = {
  linear: (x) => x,
  cosine: (x) => Math.sin((x * Math.PI) / 2),
  sine: (x) => 1 - Math.cos((x * Math.PI) / 2),
};

/**
 * Each step that starts at a σ within [endAt, startAt] (a negative startAt: no upper bound) split into `steps`
 * smaller ones, by steps − 1 σ inserted along the spacing curve; other steps are kept as they are.
 */
export function extendIntermediateSigmas(
  sigmas: readonly number[],
  steps: number,
  startAt: number,
  endAt: number,
  spacing: ExtendSpacing,
): number[] {
  const upper = startAt < 0 ? Number.POSITIVE_INFINITY : startAt;
  const fractions = Array.from({ length: Math.max(steps - 1, 0) }, (_, i) => spacingCurves[spacing]((i + 1) / steps));
  const extended: number[] = [];
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const current = sigmas[i]!;
    const next = sigmas[i + 1]!;
    extended.push(current);
    if (endAt <= current && current <= upper) extended.push(...fractions.map((f) => f * (next - current) + current));
  }
  if (sigmas.length > 0) extended.push(sigmas[sigmas.length - 1]!);
  return extended;
}

const DIGIT = /\p{Nd}/u;

/**
 * A Unicode decimal digit's value. Unicode encodes each script's digits 0–9 as ten consecutive code points, so a run of
 * digits in code-point order starts at a 0 and the value is the distance from that start, mod 10.
 */
function digitValue(digit: string): number {
  const code = digit.codePointAt(0)!;
  let start = code;
  while (DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (code - start) % 10;
}

/**
 * The numbers in a typed σ list, found as ComfyUI's ManualSigmas finds them: Python's pattern [-+]?(?:\d*\.*\d+),
 * where \d is any Unicode decimal digit (full-width ones too, as Python's float() reads them), so any separator works
 * and "1e-3" reads as 1 and -3. A match float() would refuse, such as "1..5", or no number at all, is an error.
 */
export function parseSigmaList(text: string): Result<number[]> {
  const matches = text.match(/[-+]?(?:\p{Nd}*\.*\p{Nd}+)/gu) ?? [];
  if (matches.length === 0) return err(`no number in ${JSON.stringify(text)}`);
  const bad = matches.find((match) => (match.match(/\./g)?.length ?? 0) > 1);
  if (bad !== undefined) return err(`${JSON.stringify(bad)} is not a number`);
  return ok(matches.map((match) => Number(match.replace(/\p{Nd}/gu, (digit) => String(digitValue(digit))))));
}

import { describe, expect, it } from 'vitest';
import {
  ROUTE_EXPLORE_EVERY,
  ROUTE_FIRST_SAMPLES,
  ROUTE_WINDOW,
  ThreadRoute,
} from '../../nodes/runtime/onnx/thread-route.js';

/** Runs `calls` calls on one shape, each candidate taking the time `costs` gives it; returns which ran each call. */
function drive(route: ThreadRoute, shape: string, calls: number, costs: (candidate: number, call: number) => number) {
  const picks: number[] = [];
  for (let call = 0; call < calls; call++) {
    const candidate = route.pick(shape);
    picks.push(candidate);
    route.record(shape, candidate, costs(candidate, call));
  }
  return picks;
}

describe('ThreadRoute', () => {
  it('takes each candidate in turn for its first samples, starting from the initial one', () => {
    const route = new ThreadRoute(2, 1);
    const picks = drive(route, 'a', 2 * ROUTE_FIRST_SAMPLES, () => 5);
    expect(picks).toEqual([1, 0, 1, 0, 1, 0]);
  });

  it('moves to the faster candidate and stays there apart from exploring calls', () => {
    const decisions: number[] = [];
    const route = new ThreadRoute(2, 0, (_shape, best) => decisions.push(best));
    const picks = drive(route, 'unet', 200, (candidate) => (candidate === 1 ? 8 : 10));
    expect(route.best('unet')).toBe(1);
    expect(decisions).toEqual([1]);
    const afterFirst = picks.slice(2 * ROUTE_FIRST_SAMPLES);
    const onSlower = afterFirst.filter((candidate) => candidate === 0).length;
    // Only the exploring calls go to the slower one.
    expect(onSlower).toBeGreaterThan(0);
    expect(onSlower).toBeLessThanOrEqual(Math.ceil(200 / ROUTE_EXPLORE_EVERY));
    expect(route.medians('unet')).toEqual([10, 8]);
  });

  it('reports the first decision even when it keeps the initial candidate', () => {
    const decisions: number[] = [];
    const route = new ThreadRoute(2, 0, (_shape, best) => decisions.push(best));
    drive(route, 's', 50, (candidate) => (candidate === 0 ? 3 : 6));
    expect(decisions).toEqual([0]);
  });

  it('follows the machine when the faster candidate becomes the slower', () => {
    const route = new ThreadRoute(2, 0);
    // Candidate 0 is faster for 100 calls, then twice as slow as 1.
    const cost = (candidate: number, call: number): number =>
      call < 100 ? (candidate === 0 ? 4 : 6) : candidate === 0 ? 12 : 6;
    drive(route, 'x', 100, cost);
    expect(route.best('x')).toBe(0);
    drive(route, 'x', 1 + ROUTE_WINDOW, (candidate) => cost(candidate, 100));
    expect(route.best('x')).toBe(1);
  });

  it('keeps each shape apart', () => {
    const route = new ThreadRoute(2, 0);
    drive(route, 'small', 60, (candidate) => (candidate === 0 ? 1 : 2));
    drive(route, 'large', 60, (candidate) => (candidate === 0 ? 20 : 11));
    expect(route.best('small')).toBe(0);
    expect(route.best('large')).toBe(1);
    expect(route.best('unseen')).toBe(0);
  });

  it('ignores times that are not times, and refuses a candidate that does not exist', () => {
    const route = new ThreadRoute(2, 0);
    route.record('a', 0, Number.NaN);
    route.record('a', 5, 1);
    expect(route.medians('a')).toEqual([undefined, undefined]);
    expect(() => new ThreadRoute(2, 2)).toThrow(RangeError);
    expect(new ThreadRoute(1, 0).pick('a')).toBe(0);
  });
});

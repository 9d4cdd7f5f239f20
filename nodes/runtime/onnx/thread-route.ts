/**
 * Which of a model's sessions (one per thread option set) runs the next call, from the times of real calls.
 * A probe at load is timed alone, on a probe's shapes; a run shares the cores with the server's own work (previews,
 * HTTP, the next node), and this machine's speed drifts over minutes. So a small model keeps a session per
 * candidate and each input shape goes to whichever has been faster on it lately, with the others tried now and then.
 * Pure: the caller times the calls and reports them.
 */

/** Each candidate's first calls on a shape, taken in turn before any is preferred. */
export const ROUTE_FIRST_SAMPLES = 3;
/** How many of a candidate's latest call times on a shape its median is taken over. */
export const ROUTE_WINDOW = 7;
/** One call in this many goes to a candidate that is not the fastest, so a change in the machine is noticed. */
export const ROUTE_EXPLORE_EVERY = 24;

interface ShapeStats {
  /** Latest call times, per candidate (oldest first). */
  readonly samples: number[][];
  /** Each candidate's median over its samples, kept up to date as one candidate's samples change (NaN: none yet). */
  readonly medians: number[];
  calls: number;
  best: number;
  /** Which non-best candidate the next exploring call goes to (rotates). */
  nextProbe: number;
  /** Whether onBest has been told this shape's first decision. */
  decided: boolean;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

export class ThreadRoute {
  private readonly shapes = new Map<string, ShapeStats>();

  /**
   * @param candidates how many sessions there are
   * @param initial the candidate the load probe chose: used first, and kept while the times cannot tell
   * @param onBest called when a shape's fastest candidate changes, with each candidate's median on it
   */
  constructor(
    private readonly candidates: number,
    private readonly initial: number,
    private readonly onBest?: (shape: string, best: number, medians: readonly (number | undefined)[]) => void,
  ) {
    if (candidates < 1 || initial < 0 || initial >= candidates) throw new RangeError('no such candidate');
  }

  private stats(shape: string): ShapeStats {
    let stats = this.shapes.get(shape);
    if (!stats) {
      stats = {
        samples: Array.from({ length: this.candidates }, () => []),
        medians: Array.from({ length: this.candidates }, () => Number.NaN),
        calls: 0,
        best: this.initial,
        nextProbe: 0,
        decided: false,
      };
      this.shapes.set(shape, stats);
    }
    return stats;
  }

  /** The candidate to run the next call on a shape with. */
  pick(shape: string): number {
    const stats = this.stats(shape);
    stats.calls += 1;
    if (this.candidates === 1) return 0;
    // Until each has its first samples: the one with fewest, the current best on a tie. (No allocation: this runs
    // before every model call.)
    let fewest = stats.best;
    for (let index = 0; index < this.candidates; index++)
      if (stats.samples[index]!.length < stats.samples[fewest]!.length) fewest = index;
    if (stats.samples[fewest]!.length < ROUTE_FIRST_SAMPLES) return fewest;
    if (stats.calls % ROUTE_EXPLORE_EVERY !== 0) return stats.best;
    // The others in turn: the best's index is skipped by counting past it.
    const probe = stats.nextProbe % (this.candidates - 1);
    stats.nextProbe += 1;
    return probe < stats.best ? probe : probe + 1;
  }

  /** A call on `shape` ran on `candidate` and took `ms`. Only that candidate's median is taken again: this runs after every model call. */
  record(shape: string, candidate: number, ms: number): void {
    const stats = this.stats(shape);
    const samples = stats.samples[candidate];
    if (!samples || !Number.isFinite(ms) || ms < 0) return;
    samples.push(ms);
    if (samples.length > ROUTE_WINDOW) samples.shift();
    stats.medians[candidate] = median(samples);
    if (stats.samples.some((s) => s.length < ROUTE_FIRST_SAMPLES)) return;
    const medians = stats.medians;
    let best = stats.best;
    for (let index = 0; index < medians.length; index++) if (medians[index]! < medians[best]!) best = index;
    if (best === stats.best && stats.decided) return;
    stats.best = best;
    stats.decided = true;
    this.onBest?.(shape, best, [...medians]);
  }

  /** The fastest candidate on a shape so far (the initial one for a shape not yet seen). */
  best(shape: string): number {
    return this.shapes.get(shape)?.best ?? this.initial;
  }

  /** Each candidate's median on a shape, where it has samples. */
  medians(shape: string): (number | undefined)[] {
    const stats = this.shapes.get(shape);
    return stats ? stats.medians.map((value) => (Number.isNaN(value) ? undefined : value)) : [];
  }
}

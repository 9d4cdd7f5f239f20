import { availableParallelism } from 'node:os';

/**
 * How many intra-op threads an onnxruntime session runs with, and whether they busy-wait between parallel sections.
 * One thread wins on a model as small as the shipped one (each call is a few milliseconds, and waking a pool costs
 * more than it saves); large UNets want every core. Inkgraph times the candidates on each small model's own inputs
 * when it loads it (`chooseThreads`), and `--threads N` fixes the count for every session.
 */
export interface ThreadOptions {
  readonly threads: number;
  readonly spinning: boolean;
}

/** A pool on every core up to 8, no spinning: the default for models too big to time, and the baseline a pool is timed as. */
export function allCores(cores = availableParallelism()): ThreadOptions {
  return { threads: Math.max(1, Math.min(cores, 8)), spinning: false };
}

/** What is timed for a model: one thread, and all cores with and without spinning (one candidate on one core). */
export function threadCandidates(cores = availableParallelism()): ThreadOptions[] {
  const all = allCores(cores);
  if (all.threads === 1) return [{ threads: 1, spinning: false }];
  return [{ threads: 1, spinning: false }, all, { ...all, spinning: true }];
}

/** A candidate's timing: the median of its timed runs, in ms. */
export interface ThreadTiming {
  readonly options: ThreadOptions;
  readonly ms: number;
}

/**
 * How much faster than one thread a pool must be, timed alone at load, to be chosen. A pool on every core shares
 * them with the server's own work while it runs (previews, HTTP, the next node), and a probe's shape is not the
 * run's: the shipped model's VAE decoder was 9% faster on two threads on its 128² probe, yet in a 64² run one
 * thread is faster (text encodes and decode 4.98 ms a run against 5.37 ms, plain loop, caches cold after the UNet).
 */
export const POOL_MIN_SPEEDUP = 1.25;

/**
 * One thread, unless a pool is faster by POOL_MIN_SPEEDUP; then all cores without spinning, unless spinning is
 * clearly faster (by 5%) and leaves a core free: spinning threads keep their cores busy between calls, and the
 * server's main thread (HTTP, WebSocket, preview encoding) then waits for a core. With no timings (a model too big
 * to time), all cores.
 */
export function fastestThreads(timings: readonly ThreadTiming[], cores = availableParallelism()): ThreadOptions {
  const quiet = allCores(cores);
  const allowed = timings.filter((t) => !t.options.spinning || t.options.threads < cores);
  const one = allowed.find((t) => t.options.threads === 1);
  const pools = allowed.filter((t) => t.options.threads > 1).sort((a, b) => a.ms - b.ms);
  const fastestPool = pools[0];
  if (!fastestPool) return one?.options ?? quiet;
  if (one && fastestPool.ms * POOL_MIN_SPEEDUP > one.ms) return one.options;
  const quietPool = pools.find((t) => t.options.threads === quiet.threads && !t.options.spinning);
  if (!quietPool || fastestPool.ms < quietPool.ms * 0.95) return fastestPool.options;
  return quietPool.options;
}

/** The candidates worth timing: a spinning pool only where it leaves a core free (see fastestThreads). */
export function timedCandidates(cores = availableParallelism()): ThreadOptions[] {
  return threadCandidates(cores).filter((options) => !options.spinning || options.threads < cores);
}

let override: ThreadOptions | undefined;

/** `--threads N`: every session from now on runs N threads, spinning off; nothing is timed. */
export function setThreadOverride(threads: number | undefined): void {
  override = threads === undefined ? undefined : { threads: Math.max(1, Math.floor(threads)), spinning: false };
}

export function threadOverride(): ThreadOptions | undefined {
  return override;
}

/** What was chosen for each session loaded, for /system_stats and the log. */
export interface ThreadChoice {
  readonly path: string;
  readonly chosen: ThreadOptions;
  /**
   * How it was chosen: timed on the model's inputs at load, then from its real calls' times on one input shape
   * (`runs`, thread-route.ts); or the --threads override, or the default for large models.
   */
  readonly how: 'timed' | 'runs' | 'override' | 'default';
  /** For `runs`: the input dims the calls had. */
  readonly shape?: string;
  readonly timings: readonly ThreadTiming[];
}

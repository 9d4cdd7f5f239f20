import { availableParallelism } from 'node:os';

/**
 * How many intra-op threads an onnxruntime session runs with, and whether they busy-wait between parallel sections.
 * On a model as small as the shipped one a pool that sleeps loses to one thread (each call is a few milliseconds,
 * and waking the pool for each parallel section costs more than it saves), while a spinning pool wins; large UNets
 * want every core. Inkgraph times the candidates on each small model's own inputs when it loads it
 * (`loadTunedSession`), then routes calls by their real times, and `--threads N` fixes the count for every session.
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
 * clearly faster (by 5%) and may spin: spinning threads keep their cores busy between parallel sections and for a
 * while after a call. A pool that leaves a core free may always spin. A pool on every core may spin only for the
 * model called in the sampling loop (`inSamplingLoop`): one spinning pool still leaves the server's main thread a
 * core between its calls (on the shipped model it was 12–20% faster on 2 cores at one hour, no faster at another,
 * so its real calls decide: thread-route.ts); but two spinning pools called in turn starve each other (the text encoder's calls went from 1.2 to 6.2 ms, the VAE
 * decoder's from 3.9 to 11.1, beside a spinning UNet). With no timings (a model too big to time), all cores.
 */
export function fastestThreads(
  timings: readonly ThreadTiming[],
  cores = availableParallelism(),
  inSamplingLoop = false,
): ThreadOptions {
  const quiet = allCores(cores);
  const allowed = timings.filter((t) => maySpin(t.options, cores, inSamplingLoop));
  const one = allowed.find((t) => t.options.threads === 1);
  const pools = allowed.filter((t) => t.options.threads > 1).sort((a, b) => a.ms - b.ms);
  const fastestPool = pools[0];
  if (!fastestPool) return one?.options ?? quiet;
  if (one && fastestPool.ms * POOL_MIN_SPEEDUP > one.ms) return one.options;
  const quietPool = pools.find((t) => t.options.threads === quiet.threads && !t.options.spinning);
  if (!quietPool || fastestPool.ms < quietPool.ms * 0.95) return fastestPool.options;
  return quietPool.options;
}

/** Whether a model may run under these options: always without spinning; spinning only where fastestThreads allows. */
function maySpin(options: ThreadOptions, cores: number, inSamplingLoop: boolean): boolean {
  return !options.spinning || options.threads < cores || inSamplingLoop;
}

/** The candidates worth timing for a model: a spinning pool only where it may spin (see fastestThreads). */
export function timedCandidates(cores = availableParallelism(), inSamplingLoop = false): ThreadOptions[] {
  return threadCandidates(cores).filter((options) => maySpin(options, cores, inSamplingLoop));
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

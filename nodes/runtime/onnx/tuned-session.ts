import { existsSync, statSync } from 'node:fs';
import { loadSession, runSession, type Feed, type InputInfo, type LoadedSession } from './session.js';
import { ThreadRoute } from './thread-route.js';
import {
  allCores,
  fastestThreads,
  timedCandidates,
  threadOverride,
  type ThreadChoice,
  type ThreadOptions,
  type ThreadTiming,
} from './thread-options.js';

/**
 * Models up to this size (with their external data) are timed with each thread candidate when they load: creating
 * a few sessions of a small model costs milliseconds, while a large UNet would be loaded three times over, and wants
 * every core anyway.
 */
export const TUNE_MAX_BYTES = 64 * 1024 * 1024;
const WARM_UP_RUNS = 2;
const TIMED_RUNS = 5;

const choices = new Map<string, ThreadChoice>();
let onChoice: ((choice: ThreadChoice) => void) | undefined;

/** Called for each new choice (the engine worker passes them on to the server for /system_stats and its log). */
export function onThreadChoice(listener: (choice: ThreadChoice) => void): void {
  onChoice = listener;
}

function record(choice: ThreadChoice): void {
  choices.set(choice.path, choice);
  onChoice?.(choice);
}

function modelBytes(path: string): number {
  const external = `${path}_data`;
  return statSync(path).size + (existsSync(external) ? statSync(external).size : 0);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timeRuns(loaded: LoadedSession, feeds: Record<string, Feed>): Promise<number> {
  for (let i = 0; i < WARM_UP_RUNS; i++) await runSession(loaded, feeds);
  const times: number[] = [];
  for (let i = 0; i < TIMED_RUNS; i++) {
    const started = performance.now();
    await runSession(loaded, feeds);
    times.push(performance.now() - started);
  }
  return median(times);
}

/** The thread option sets each small model keeps a session for (the load probe's choice first), by path. */
const routedOptions = new Map<string, readonly ThreadOptions[]>();

/**
 * A model's sessions under each of `kept`, calls routed by their times (thread-route.ts) starting from `initial`;
 * each shape's decision is recorded as the model's choice.
 */
function routed(
  path: string,
  kept: readonly LoadedSession[],
  options: readonly ThreadOptions[],
  initial: number,
): LoadedSession {
  const primary = kept[initial]!;
  const route = new ThreadRoute(kept.length, initial, (shape, best, medians) =>
    record({
      path,
      chosen: options[best]!,
      how: 'runs',
      shape,
      timings: options.flatMap((candidate, index) => {
        const ms = medians[index];
        return ms === undefined ? [] : [{ options: candidate, ms }];
      }),
    }),
  );
  return { ...primary, threadSessions: { sessions: kept.map((loaded) => loaded.session), route } };
}

const sameOptions = (a: ThreadOptions, b: ThreadOptions): boolean =>
  a.threads === b.threads && a.spinning === b.spinning;

/**
 * Loads a model with the thread options fastest for it on this machine: `--threads` when given; else, for a model
 * up to TUNE_MAX_BYTES, each candidate timed on `probe`'s feeds (the inputs the sampler will give it), then the
 * fastest and the runner-up kept (every candidate, for the sampling loop's model), with each call routed to the one
 * faster on its shape in real runs; else all cores without spinning. `inSamplingLoop`: the model the sampler calls
 * every step (the UNet), the one that may spin on every core (thread-options.ts). A path is timed once per process;
 * a reload keeps the same sessions and starts from the choice.
 */
export async function loadTunedSession(
  path: string,
  probe: (inputs: ReadonlyMap<string, InputInfo>) => Record<string, Feed> | undefined,
  inSamplingLoop = false,
): Promise<LoadedSession> {
  const forced = threadOverride();
  if (forced) {
    if (!choices.has(path)) record({ path, chosen: forced, how: 'override', timings: [] });
    return loadSession(path, forced);
  }
  const known = choices.get(path);
  const keptBefore = routedOptions.get(path);
  if (known && keptBefore) {
    const kept = await Promise.all(keptBefore.map((options) => loadSession(path, options)));
    const initial = Math.max(
      0,
      keptBefore.findIndex((options) => sameOptions(options, known.chosen)),
    );
    return routed(path, kept, keptBefore, initial);
  }
  if (known) return loadSession(path, known.chosen);
  const quiet = allCores();
  const first = await loadSession(path, quiet);
  const feeds = modelBytes(path) <= TUNE_MAX_BYTES ? probe(first.inputs) : undefined;
  if (!feeds) {
    record({ path, chosen: quiet, how: 'default', timings: [] });
    return first;
  }
  const timed: { readonly timing: ThreadTiming; readonly loaded: LoadedSession }[] = [];
  for (const options of timedCandidates(undefined, inSamplingLoop)) {
    const loaded = sameOptions(options, quiet) ? first : await loadSession(path, options);
    timed.push({ timing: { options, ms: await timeRuns(loaded, feeds) }, loaded });
  }
  const timings = timed.map((t) => t.timing);
  const chosen = fastestThreads(timings, undefined, inSamplingLoop);
  record({ path, chosen, how: 'timed', timings });
  const chosenEntry = timed.find((t) => sameOptions(t.timing.options, chosen)) ?? timed[0]!;
  // The sampling loop's model keeps every candidate: its probe cannot tell one thread from a sleeping pool (5.86
  // against 5.74 ms on the shipped UNet), yet in real runs the sleeping pool was the slowest of the three.
  const others = timed.filter((t) => t !== chosenEntry).sort((a, b) => a.timing.ms - b.timing.ms);
  const kept = [chosenEntry, ...(inSamplingLoop ? others : others.slice(0, 1))];
  for (const t of timed) if (!kept.includes(t)) await t.loaded.session.release();
  if (kept.length === 1) return chosenEntry.loaded;
  const keptOptions = kept.map((t) => t.timing.options);
  routedOptions.set(path, keptOptions);
  return routed(
    path,
    kept.map((t) => t.loaded),
    keptOptions,
    0,
  );
}

/** The threads fastest for a model so far (for a patched copy of it, which has the same shapes and work). */
export function threadsChosenFor(path: string): ThreadOptions {
  return threadOverride() ?? choices.get(path)?.chosen ?? allCores();
}

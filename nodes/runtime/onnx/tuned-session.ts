import { existsSync, statSync } from 'node:fs';
import { loadSession, runSession, type Feed, type InputInfo, type LoadedSession } from './session.js';
import {
  allCores,
  describeThreads,
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

/** Every choice made in this thread, by model path (each path is timed once). */
export function threadChoices(): ThreadChoice[] {
  return [...choices.values()];
}

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

/**
 * Loads a session with the thread options fastest for it on this machine: `--threads` when given; else, for a
 * model up to TUNE_MAX_BYTES, each candidate timed on `probe`'s feeds (the inputs the sampler will give it) and the
 * fastest kept, the others released; else all cores without spinning. A path is timed once per process.
 */
export async function loadTunedSession(
  path: string,
  probe: (inputs: ReadonlyMap<string, InputInfo>) => Record<string, Feed> | undefined,
): Promise<LoadedSession> {
  const forced = threadOverride();
  if (forced) {
    if (!choices.has(path)) record({ path, chosen: forced, how: 'override', timings: [] });
    return loadSession(path, forced);
  }
  const known = choices.get(path);
  if (known) return loadSession(path, known.chosen);
  const quiet = allCores();
  const first = await loadSession(path, quiet);
  const feeds = modelBytes(path) <= TUNE_MAX_BYTES ? probe(first.inputs) : undefined;
  if (!feeds) {
    record({ path, chosen: quiet, how: 'default', timings: [] });
    return first;
  }
  const timings: ThreadTiming[] = [];
  const sessions = new Map<ThreadOptions, LoadedSession>();
  for (const options of timedCandidates()) {
    const same = options.threads === quiet.threads && options.spinning === quiet.spinning;
    const loaded = same ? first : await loadSession(path, options);
    sessions.set(options, loaded);
    timings.push({ options, ms: await timeRuns(loaded, feeds) });
  }
  const chosen = fastestThreads(timings);
  let kept: LoadedSession = first;
  for (const [options, loaded] of sessions) {
    if (options === chosen) kept = loaded;
    else await loaded.session.release();
  }
  record({ path, chosen, how: 'timed', timings });
  return kept;
}

/** The threads a model was given when it loaded (for a patched copy of it, which has the same shapes and work). */
export function threadsChosenFor(path: string): ThreadOptions {
  return threadOverride() ?? choices.get(path)?.chosen ?? allCores();
}

export function describeChoice(choice: ThreadChoice): string {
  const timed = choice.timings.map((t) => `${describeThreads(t.options)} ${t.ms.toFixed(2)} ms`).join(', ');
  return `${choice.path}: ${describeThreads(choice.chosen)} (${choice.how}${timed ? `: ${timed}` : ''})`;
}

/**
 * The names Inkgraph uses in Redis. BullMQ keeps its own keys under `bull:<queue>` with this prefix; the rest are
 * Inkgraph's: worker heartbeats, one stream per run (the relay), and the interrupt channel.
 */
export const BULL_PREFIX = 'inkgraph';

/** Workers with the same models and execution provider form a group, and each group has its own BullMQ queue. */
export function groupQueueName(group: string): string {
  return `jobs-${group}`;
}

export const WORKER_KEY_PREFIX = 'inkgraph:worker:';

/** A worker's advert, refreshed every heartbeat and expiring a few beats after its last. */
export function workerKey(workerId: string): string {
  return `${WORKER_KEY_PREFIX}${workerId}`;
}

/** Told when a worker joins, leaves or changes state, so the coordinator need not wait for its next poll. */
export const WORKERS_CHANNEL = 'inkgraph:workers';

/** One run's events, from worker to coordinator, in order (a Redis stream, so nothing is lost while no one reads). */
export function runStreamKey(promptId: string): string {
  return `inkgraph:run:${promptId}`;
}

/** How many times a run was started on a worker (INCR at each start: a retry after a lost worker counts 2, …). */
export function attemptKey(promptId: string): string {
  return `inkgraph:attempt:${promptId}`;
}

/** Published with a prompt id to interrupt it wherever it runs. */
export const INTERRUPT_CHANNEL = 'inkgraph:interrupt';

/** Set when a run is interrupted, so a worker that starts it later (a retry, a missed message) stops at once. */
export function interruptKey(promptId: string): string {
  return `inkgraph:interrupt:${promptId}`;
}

/** How often a worker refreshes its advert, and how long the advert outlives its last refresh. */
export const HEARTBEAT_MS = 1_000;
export const HEARTBEAT_TTL_MS = 3_500;

/** Relay streams and interrupt marks outlive a run by at most this long (a coordinator that never came back). */
export const RUN_KEY_TTL_S = 86_400;

/** A job whose worker was lost more than this many times fails (with the reason) instead of running again. */
export const MAX_LOST_WORKERS = 2;

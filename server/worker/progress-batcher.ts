import type { EngineEvent } from '../engine/engine-events.js';

/**
 * How long the engine thread may hold a step's progress event so that it goes out with the next ones. A post that
 * finds the main thread asleep costs the engine a thread wake-up; posts that follow it before the main thread has
 * run are nearly free.
 */
export const PROGRESS_BATCH_MS = 33;

/**
 * Passes the engine's events on in order, holding `progress` events briefly so several leave in one burst: a
 * progress event is held only while the next one is due (a step takes about as long as the last) within
 * `maxDelayMs` of the oldest one held. The first progress of a node, the last step and every other event go out
 * at once, with everything held before them.
 */
export class ProgressBatcher {
  private readonly held: EngineEvent[] = [];
  private oldestHeldAt = 0;
  private lastProgressAt: number | undefined;

  constructor(
    private readonly send: (event: EngineEvent) => void,
    private readonly now: () => number = () => performance.now(),
    private readonly maxDelayMs = PROGRESS_BATCH_MS,
  ) {}

  post(event: EngineEvent): void {
    if (event.type !== 'progress') {
      this.flush();
      this.lastProgressAt = undefined;
      this.send(event);
      return;
    }
    const now = this.now();
    const stepMs = this.lastProgressAt === undefined ? Number.POSITIVE_INFINITY : now - this.lastProgressAt;
    this.lastProgressAt = now;
    if (this.held.length === 0) this.oldestHeldAt = now;
    this.held.push(event);
    if (event.value >= event.max || now + stepMs - this.oldestHeldAt > this.maxDelayMs) this.flush();
  }

  /** Sends everything held. */
  flush(): void {
    for (const event of this.held.splice(0)) this.send(event);
  }
}

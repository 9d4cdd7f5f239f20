import type { EngineEvent, ExecuteJob, ExecutionResult } from './engine/engine-events.js';
import type { EngineHost } from './engine/engine-host.js';
import type { QueuedJob } from './queued-job.js';

/** A run's events: the engine's, and (in a cluster) a worker lost under the job, which then runs again elsewhere. */
export type RunEvent =
  | EngineEvent
  | {
      readonly type: 'retried';
      readonly promptId: string;
      /** How many times the job has been started, this time included. */
      readonly attempt: number;
      readonly reason: string;
    };

/** Where jobs run: the engine thread of this process, or workers that take them from a Redis queue. */
export interface JobRunner {
  /** Whether `job` could start now (a free engine; a free worker that has its models). */
  canStart(job: QueuedJob): boolean;
  /** Runs a job; resolves when it finishes, fails or is interrupted (never rejects). */
  execute(job: QueuedJob, request: ExecuteJob, onEvent: (event: RunEvent) => void): Promise<ExecutionResult>;
  /** Asks a running job to stop at its next progress point. */
  interrupt(promptId: string): void;
  /** Calls `listener` whenever jobs that could not start may now (a worker came free or joined). */
  onCapacity(listener: () => void): void;
}

/** The embedded mode: one job at a time on this process's engine thread. */
export class LocalRunner implements JobRunner {
  private runningId: string | undefined;

  constructor(private readonly engine: EngineHost) {}

  canStart(): boolean {
    return !this.engine.isBusy;
  }

  async execute(job: QueuedJob, request: ExecuteJob, onEvent: (event: RunEvent) => void): Promise<ExecutionResult> {
    this.runningId = job.promptId;
    try {
      return await this.engine.execute(request, onEvent);
    } finally {
      this.runningId = undefined;
    }
  }

  interrupt(promptId: string): void {
    if (this.runningId === promptId) this.engine.interrupt();
  }

  onCapacity(): void {
    // The service starts the next job when a run ends; the engine frees no capacity otherwise.
  }
}

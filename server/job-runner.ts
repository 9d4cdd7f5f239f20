import type { EngineEvent, ExecuteJob, ExecutionResult } from './engine/engine-events.js';
import type { EngineHost } from './engine/engine-host.js';
import { hostname } from 'node:os';
import type { ExtraComboOptions } from '../nodes/contract/input-spec.js';
import type { QueuedJob } from './queued-job.js';

/** A worker as `GET /api/workers` and `/system_stats` list it. */
export interface WorkerView {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** Workers with the same models and execution provider share a queue. */
  readonly group: string;
  readonly execution_provider: string;
  readonly concurrency: number;
  readonly state: 'idle' | 'busy' | 'stopping';
  readonly jobs: readonly { readonly prompt_id: string; readonly node: string | null; readonly started_at: number }[];
  readonly models: readonly string[];
  readonly heartbeat_at: number;
  readonly heartbeat_age_ms: number;
  readonly started_at: number;
}

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
  /** `embedded`: this process runs jobs; `cluster`: workers take them from Redis. */
  readonly mode: 'embedded' | 'cluster';
  /** Whether `job` could start now (a free engine; a free worker that has its models). */
  canStart(job: QueuedJob): boolean;
  /** Runs a job; resolves when it finishes, fails or is interrupted (never rejects). */
  execute(job: QueuedJob, request: ExecuteJob, onEvent: (event: RunEvent) => void): Promise<ExecutionResult>;
  /** Asks a running job to stop at its next progress point. */
  interrupt(promptId: string): void;
  /** Calls `listener` whenever jobs that could not start may now (a worker came free or joined). */
  onCapacity(listener: () => void): void;
  /** Who runs jobs, with their state, jobs and last heartbeat (in a cluster, as Redis has them now). */
  workers(): Promise<WorkerView[]>;
  /** Model values valid beyond this process's folders (what the cluster's workers have). */
  extraComboOptions(): ExtraComboOptions | undefined;
  close(): Promise<void>;
}

/** The embedded mode: one job at a time on this process's engine thread. */
export class LocalRunner implements JobRunner {
  readonly mode = 'embedded';
  private runningId: string | undefined;
  private runningNode: string | null = null;
  private runningSince = 0;
  private readonly startedAt = Date.now();

  constructor(
    private readonly engine: EngineHost,
    private readonly executionProvider: () => string,
  ) {}

  canStart(): boolean {
    return !this.engine.isBusy;
  }

  async execute(job: QueuedJob, request: ExecuteJob, onEvent: (event: RunEvent) => void): Promise<ExecutionResult> {
    this.runningId = job.promptId;
    this.runningNode = null;
    this.runningSince = Date.now();
    try {
      return await this.engine.execute(request, (event) => {
        if (event.type === 'node_start') this.runningNode = event.node;
        onEvent(event);
      });
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

  workers(): Promise<WorkerView[]> {
    const now = Date.now();
    return Promise.resolve([
      {
        id: 'local',
        host: hostname(),
        pid: process.pid,
        group: 'local',
        execution_provider: this.executionProvider(),
        concurrency: 1,
        state: this.runningId === undefined ? 'idle' : 'busy',
        jobs:
          this.runningId === undefined
            ? []
            : [{ prompt_id: this.runningId, node: this.runningNode, started_at: this.runningSince }],
        models: [],
        heartbeat_at: now,
        heartbeat_age_ms: 0,
        started_at: this.startedAt,
      },
    ]);
  }

  extraComboOptions(): undefined {
    return undefined;
  }

  async close(): Promise<void> {
    // The engine is the server's; it closes it.
  }
}

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { ExtraComboOptions } from '../../nodes/contract/input-spec.js';
import type { NodeEnvironment } from '../../nodes/contract/node-context.js';
import type { NodeRegistry } from '../../nodes/contract/node-definition.js';
import { resolveInside } from '../../media/safe-path.js';
import type { UiOutput } from '../../shared/protocol.js';
import type { ExecuteJob, ExecutionResult } from '../engine/engine-events.js';
import type { JobRunner, RunEvent, WorkerView } from '../job-runner.js';
import type { QueuedJob } from '../queued-job.js';
import {
  attemptKey,
  BULL_PREFIX,
  groupQueueName,
  INTERRUPT_CHANNEL,
  interruptKey,
  MAX_LOST_WORKERS,
  RUN_KEY_TTL_S,
  runStreamKey,
  WORKER_KEY_PREFIX,
  WORKERS_CHANNEL,
} from './cluster-keys.js';
import { clusterJobData, type ClusterJob } from './cluster-job.js';
import { redactUrl, redisOptions } from './redis-connection.js';
import { RelayedFiles } from './relayed-files.js';
import { canRun, imageFileRequirements, imageFolderPath, mergedOptions, modelRequirements } from './requirements.js';
import { readRelayFields, relayFields, type RelayRecord } from './run-relay.js';
import { parseWorkerAdvert, type WorkerAdvert } from './worker-advert.js';

export interface ClusterRunnerOptions {
  readonly redisUrl: string;
  readonly registry: NodeRegistry;
  /** The coordinator's folders: image inputs are read from them, relayed outputs written to them. */
  readonly env: NodeEnvironment;
  readonly log: (line: string) => void;
}

/** How often the coordinator re-reads the workers' adverts (a join or leave is also announced on a channel). */
const POLL_MS = 500;
/** How long a run's stream may stay silent before the coordinator asks BullMQ what became of the job. */
const BLOCK_MS = 1_000;

interface Assignment {
  group: string | undefined;
}

/**
 * The coordinator's runner: hands each job to a BullMQ queue of workers that have its models, when one of them has
 * a free slot (so the coordinator's own queue keeps its order, `front`, delete and pause), and turns the run's
 * Redis stream back into the engine's events. A worker lost mid-job is BullMQ's stalled job: it runs again on
 * another worker of the group, and the stream says so (a new attempt).
 */
export class ClusterRunner implements JobRunner {
  readonly mode = 'cluster';
  readonly url: string;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly queues = new Map<string, Queue>();
  private adverts = new Map<string, WorkerAdvert>();
  private readonly assigned = new Map<string, Assignment>();
  /** Runs whose stream was in Redis when this coordinator started: it follows them instead of queuing them again. */
  private readonly attachable = new Set<string>();
  private readonly capacityListeners: (() => void)[] = [];
  private readonly relayedFiles: RelayedFiles;
  private poller: NodeJS.Timeout | undefined;
  /** Connections for the runs' blocking reads, kept between runs (a new one costs a connect and AUTH). */
  private readonly idleReaders: Redis[] = [];
  private closed = false;
  private redisLost = false;
  private capacitySignature = '';

  constructor(private readonly options: ClusterRunnerOptions) {
    this.url = options.redisUrl;
    this.redis = new Redis(options.redisUrl, redisOptions());
    this.subscriber = new Redis(options.redisUrl, redisOptions());
    this.relayedFiles = new RelayedFiles({ output: options.env.outputDir, temp: options.env.tempDir });
    this.redis.on('error', () => {});
    this.subscriber.on('error', () => {});
    this.redis.on('close', () => {
      if (this.redisLost || this.closed) return;
      this.redisLost = true;
      options.log(`coordinator: lost Redis at ${redactUrl(options.redisUrl)}: jobs wait in the queue until it is back`);
    });
    this.redis.on('ready', () => {
      if (!this.redisLost) return;
      this.redisLost = false;
      options.log('coordinator: Redis is back');
      void this.refreshWorkers();
    });
  }

  /** Connects, finds runs a previous coordinator left in Redis, and starts watching the workers. */
  async start(): Promise<void> {
    for (const key of await this.scan(runStreamKey('*'))) this.attachable.add(key.slice(runStreamKey('').length));
    await this.subscriber.subscribe(WORKERS_CHANNEL);
    this.subscriber.on('message', () => void this.refreshWorkers());
    await this.refreshWorkers();
    this.poller = setInterval(() => void this.refreshWorkers(), POLL_MS);
    this.options.log(
      `coordinator: queuing jobs on Redis at ${redactUrl(this.options.redisUrl)} (${this.adverts.size} worker${this.adverts.size === 1 ? '' : 's'} now)`,
    );
  }

  private async scan(pattern: string): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  }

  private async refreshWorkers(): Promise<void> {
    if (this.closed) return;
    try {
      const keys = await this.scan(`${WORKER_KEY_PREFIX}*`);
      const values = keys.length > 0 ? await this.redis.mget(...keys) : [];
      const adverts = new Map<string, WorkerAdvert>();
      for (const value of values) {
        const advert = parseWorkerAdvert(value);
        if (advert) adverts.set(advert.id, advert);
      }
      this.adverts = adverts;
    } catch {
      return; // Redis is away: the close handler said so; the adverts stay as last read until it is back.
    }
    const signature = [...this.adverts.values()]
      .map((advert) => `${advert.id}:${advert.group}:${advert.concurrency}:${advert.state}`)
      .sort()
      .join(',');
    if (signature !== this.capacitySignature) {
      this.capacitySignature = signature;
      for (const listener of this.capacityListeners) listener();
    }
  }

  async workers(): Promise<WorkerView[]> {
    await this.refreshWorkers();
    return [...this.adverts.values()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((advert) => ({
        id: advert.id,
        host: advert.host,
        pid: advert.pid,
        group: advert.group,
        execution_provider: advert.executionProvider,
        concurrency: advert.concurrency,
        state: advert.state,
        jobs: advert.jobs.map((job) => ({ prompt_id: job.promptId, node: job.node, started_at: job.startedAt })),
        models: [...new Set(Object.values(advert.options).flat())].sort(),
        heartbeat_at: advert.heartbeatAt,
        heartbeat_age_ms: Math.max(0, Date.now() - advert.heartbeatAt),
        started_at: advert.startedAt,
      }));
  }

  extraComboOptions(): ExtraComboOptions {
    return mergedOptions([...this.adverts.values()]);
  }

  /** The group with the most free slots among workers that have every model the job needs. */
  private pickGroup(job: QueuedJob): string | undefined {
    const requirements = modelRequirements(job.prompt, this.options.registry);
    const slots = new Map<string, number>();
    for (const advert of this.adverts.values()) {
      if (advert.state === 'stopping' || !canRun(requirements, advert.options)) continue;
      slots.set(advert.group, (slots.get(advert.group) ?? 0) + advert.concurrency);
    }
    for (const assignment of this.assigned.values())
      if (assignment.group !== undefined && slots.has(assignment.group))
        slots.set(assignment.group, slots.get(assignment.group)! - 1);
    let best: string | undefined;
    let bestFree = 0;
    for (const [group, free] of slots)
      if (free > bestFree) {
        best = group;
        bestFree = free;
      }
    return best;
  }

  canStart(job: QueuedJob): boolean {
    if (this.closed) return false;
    return this.attachable.has(job.promptId) || this.pickGroup(job) !== undefined;
  }

  onCapacity(listener: () => void): void {
    this.capacityListeners.push(listener);
  }

  private queueFor(group: string): Queue {
    let queue = this.queues.get(group);
    if (!queue) {
      queue = new Queue(groupQueueName(group), { connection: this.redis, prefix: BULL_PREFIX });
      queue.on('error', () => {});
      this.queues.set(group, queue);
    }
    return queue;
  }

  execute(job: QueuedJob, request: ExecuteJob, onEvent: (event: RunEvent) => void): Promise<ExecutionResult> {
    // Reserved now, before the service asks whether the next job can start.
    const attach = this.attachable.delete(job.promptId);
    const assignment: Assignment = { group: attach ? undefined : this.pickGroup(job) };
    this.assigned.set(job.promptId, assignment);
    return this.follow(job, request, assignment, attach, onEvent)
      .catch((error: unknown) => failed(request, `the cluster lost the run: ${messageOf(error)}`))
      .finally(() => {
        this.assigned.delete(job.promptId);
        for (const listener of this.capacityListeners) listener();
      });
  }

  private async dispatch(group: string, job: QueuedJob, request: ExecuteJob): Promise<void> {
    const stream = runStreamKey(job.promptId);
    const queue = this.queueFor(group);
    // A job of the same id left from an earlier run (failed, or stuck from a lost Redis write) would block the add.
    const dispatchId = randomUUID();
    const data = clusterJobData(request, this.imageFiles(job), dispatchId);
    const [added] = await Promise.all([
      queue.add('run', data, { jobId: job.promptId }),
      this.redis
        .multi()
        .xadd(stream, '*', ...relayFields({ type: 'dispatched', group, at: Date.now() }))
        .expire(stream, RUN_KEY_TTL_S)
        .exec(),
    ]);
    // BullMQ keeps a job of the same id (a failed one kept for its reason, one from a lost dispatch) instead of
    // adding this one: that one goes, and this one is added.
    if (!isRecord(added.data) || added.data.dispatchId !== dispatchId) {
      await added.remove().catch(() => {});
      await queue.add('run', data, { jobId: job.promptId });
    }
  }

  /** The images the prompt loads, from this coordinator's folders (workers have their own). */
  private imageFiles(job: QueuedJob): ClusterJob['files'] {
    return imageFileRequirements(job.prompt, this.options.registry).flatMap((file) => {
      const path = resolveInside(imageFolderPath(this.options.env, file.folder), file.name);
      if (!path.ok) return [];
      try {
        return [{ ...file, base64: readFileSync(path.value).toString('base64') }];
      } catch {
        return []; // Missing: the worker's validation names the node and the file.
      }
    });
  }

  private async follow(
    job: QueuedJob,
    request: ExecuteJob,
    assignment: Assignment,
    attach: boolean,
    onEvent: (event: RunEvent) => void,
  ): Promise<ExecutionResult> {
    const promptId = job.promptId;
    const stream = runStreamKey(promptId);
    if (!attach) {
      if (assignment.group === undefined) return failed(request, 'no worker has the models this job needs');
      await this.dispatch(assignment.group, job, request);
    }
    const reader = this.takeReader();
    let lastId = '0';
    let attempt = 0;
    let worker = '';
    let source = '';
    let quietMs = 0;
    try {
      for (;;) {
        if (this.closed) return failed(request, 'the coordinator stopped');
        let reply: [Buffer, [Buffer, Buffer[]][]][] | null;
        try {
          reply = await reader.xreadBuffer('COUNT', 100, 'BLOCK', BLOCK_MS, 'STREAMS', stream, lastId);
        } catch {
          // Redis restarted or the connection dropped: ioredis reconnects, and the stream is read on from lastId.
          await new Promise((resolve) => setTimeout(resolve, 100));
          continue;
        }
        if (!reply) {
          quietMs += BLOCK_MS;
          if (quietMs >= 2 * BLOCK_MS) {
            quietMs = 0;
            const verdict = await this.checkJob(job, request, assignment);
            if (verdict) return verdict;
          }
          continue;
        }
        quietMs = 0;
        for (const [id, fields] of reply[0]?.[1] ?? []) {
          lastId = id.toString();
          const record = readRelayFields(fields);
          if (!record.ok) {
            this.options.log(`run ${promptId}: skipped ${record.reason}`);
            continue;
          }
          const step = this.apply(record.value, { attempt, worker, source }, onEvent, request);
          if (step.kind === 'dispatched') assignment.group = step.group;
          if (step.kind === 'started') ({ attempt, worker, source } = step);
          if (step.kind === 'finished') {
            // The run's keys go after the result is handed on: the client hears the end without waiting for Redis.
            this.redis.del(stream, attemptKey(promptId), interruptKey(promptId)).catch(() => {});
            return step.result;
          }
        }
      }
    } finally {
      this.returnReader(reader);
    }
  }

  private takeReader(): Redis {
    const reader = this.idleReaders.pop();
    if (reader) return reader;
    const fresh = this.redis.duplicate();
    fresh.on('error', () => {});
    return fresh;
  }

  private returnReader(reader: Redis): void {
    if (this.closed || this.idleReaders.length >= 16) reader.disconnect();
    else this.idleReaders.push(reader);
  }

  /** One relayed entry: turned into the engine's events (of the newest attempt only). */
  private apply(
    { entry, bytes }: RelayRecord,
    /** `source`: the worker's engine whose images the entries name (the key of their renames here). */
    current: { attempt: number; worker: string; source: string },
    onEvent: (event: RunEvent) => void,
    request: ExecuteJob,
  ):
    | { kind: 'none' }
    | { kind: 'dispatched'; group: string }
    | { kind: 'started'; attempt: number; worker: string; source: string }
    | { kind: 'finished'; result: ExecutionResult } {
    const promptId = request.promptId;
    if (entry.type === 'dispatched') return { kind: 'dispatched', group: entry.group };
    if (entry.type === 'started') {
      if (entry.attempt <= current.attempt) return { kind: 'none' };
      if (entry.attempt > 1) {
        const lost = current.worker === '' ? 'an earlier worker' : `worker ${current.worker}`;
        onEvent({
          type: 'retried',
          promptId,
          attempt: entry.attempt,
          reason: `${lost} was lost while it ran the job; it ran again on worker ${entry.worker}`,
        });
      }
      return {
        kind: 'started',
        attempt: entry.attempt,
        worker: entry.worker,
        source: `${entry.worker}/${entry.engine}`,
      };
    }
    // What an attempt lost under it said is over: its worker is gone and the job runs again from the start.
    if (entry.attempt !== current.attempt) return { kind: 'none' };
    switch (entry.type) {
      case 'cached':
        onEvent({ type: 'cached', promptId, nodes: entry.nodes });
        return { kind: 'none' };
      case 'node_start':
        onEvent({ type: 'node_start', promptId, node: entry.node });
        return { kind: 'none' };
      case 'progress': {
        const { node, value, max, reportedAt, preview } = entry;
        onEvent({
          type: 'progress',
          promptId,
          node,
          value,
          max,
          reportedAt,
          ...(preview && bytes
            ? {
                preview: {
                  kind: 'encoded' as const,
                  mimeType: preview.mimeType,
                  bytes,
                  droppable: preview.droppable,
                },
              }
            : {}),
        });
        return { kind: 'none' };
      }
      case 'file': {
        if (!bytes) return { kind: 'none' };
        const placed = this.relayedFiles.write(
          current.source,
          { type: entry.folder, subfolder: entry.subfolder, filename: entry.filename },
          bytes,
        );
        if (!placed.ok) this.options.log(`run ${promptId}: ${placed.reason}`);
        return { kind: 'none' };
      }
      case 'node_done':
        onEvent({
          type: 'node_done',
          promptId,
          node: entry.node,
          ui: entry.ui ? this.relayedFiles.rewrite(current.source, entry.ui) : undefined,
          fromCache: entry.fromCache,
          ms: entry.ms,
        });
        return { kind: 'none' };
      case 'finished': {
        const outputs: Record<string, UiOutput> = {};
        for (const [node, ui] of Object.entries(entry.result.outputs))
          outputs[node] = this.relayedFiles.rewrite(current.source, ui);
        return { kind: 'finished', result: { ...entry.result, outputs } };
      }
    }
  }

  /**
   * The stream is quiet: asks BullMQ about the job. Failed (its workers were lost too often) ends the run with the
   * reason; gone without a result (lost with a Redis that kept no data) queues it again; waiting or running, go on.
   */
  private async checkJob(
    job: QueuedJob,
    request: ExecuteJob,
    assignment: Assignment,
  ): Promise<ExecutionResult | undefined> {
    if (assignment.group === undefined) return undefined;
    let state: string;
    let failedReason = '';
    try {
      const found = await this.queueFor(assignment.group).getJob(job.promptId);
      state = found ? await found.getState() : 'missing';
      failedReason = found?.failedReason ?? '';
      if (state === 'waiting' && (await this.redis.exists(interruptKey(job.promptId))) > 0) {
        // Interrupted before any worker took it: it leaves the queue unrun.
        await found?.remove();
        return interruptedBeforeStart(request);
      }
    } catch {
      return undefined;
    }
    if (state === 'failed') {
      const reason = /stalled/i.test(failedReason)
        ? `its worker was lost more than ${MAX_LOST_WORKERS} times (${failedReason})`
        : failedReason;
      return failed(request, `the job failed on the cluster: ${reason}`);
    }
    if (state === 'missing' || state === 'unknown') {
      this.options.log(`run ${job.promptId}: its job was gone from Redis without a result; queued again`);
      await this.dispatch(assignment.group, job, request);
    }
    return undefined;
  }

  interrupt(promptId: string): void {
    void this.redis
      .multi()
      .set(interruptKey(promptId), '1', 'EX', RUN_KEY_TTL_S)
      .publish(INTERRUPT_CHANNEL, promptId)
      .exec()
      .catch((error: unknown) =>
        this.options.log(`run ${promptId}: could not send its interrupt to Redis: ${messageOf(error)}`),
      );
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    for (const reader of this.idleReaders.splice(0)) reader.disconnect();
    await Promise.all([...this.queues.values()].map((queue) => queue.close().catch(() => {})));
    this.subscriber.disconnect();
    this.redis.disconnect();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const noTiming = { nodeRunMs: 0, sessionRunMs: 0, sessionRuns: 0, totalMs: 0, nodesRun: 0 };

/** The node a run that never reached a worker's engine is reported at: its first output, and that node's class. */
function reportedAt(request: ExecuteJob): { node: string; nodeType: string } {
  const node = request.outputs[0] ?? '';
  return { node, nodeType: request.prompt[node]?.class_type ?? '' };
}

function failed(request: ExecuteJob, message: string): ExecutionResult {
  return {
    status: 'error',
    outputs: {},
    executed: [],
    timing: noTiming,
    failure: {
      ...reportedAt(request),
      message,
      exceptionType: 'ClusterError',
      traceback: [],
      currentInputs: {},
    },
  };
}

function interruptedBeforeStart(request: ExecuteJob): ExecutionResult {
  return { status: 'interrupted', outputs: {}, executed: [], timing: noTiming, interruptedAt: reportedAt(request) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

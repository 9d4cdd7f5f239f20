import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { NodeEnvironment } from '../../nodes/contract/node-context.js';
import { describeExecutionProviderStatus, type ExecutionProviderName } from '../../shared/execution-provider.js';
import { createRegistry } from '../../nodes/index.js';
import { resolveInside } from '../../media/safe-path.js';
import { writeFileAtomic } from '../../media/atomic-file.js';
import type { EngineEvent, ExecutionResult } from '../engine/engine-events.js';
import { EngineHost, type EngineHostOptions } from '../engine/engine-host.js';
import { encodeStepPreview } from '../preview-encoding.js';
import { PREVIEW_MAX_LAG_MS, shouldSendPreview } from '../preview-pacing.js';
import {
  attemptKey,
  BULL_PREFIX,
  groupQueueName,
  HEARTBEAT_MS,
  HEARTBEAT_TTL_MS,
  INTERRUPT_CHANNEL,
  interruptKey,
  MAX_LOST_WORKERS,
  RUN_KEY_TTL_S,
  runStreamKey,
  workerKey,
  WORKERS_CHANNEL,
} from './cluster-keys.js';
import { clusterJobSchema, type ClusterJob } from './cluster-job.js';
import { reachRedis, redactUrl, redisOptions } from './redis-connection.js';
import { advertisedOptions, imageFolderPath } from './requirements.js';
import { relayFields, type RelayEntry } from './run-relay.js';
import { workerGroup, type WorkerAdvert } from './worker-advert.js';

export interface ClusterWorkerOptions {
  readonly redisUrl: string;
  /** This worker's folders: its models, and private input/output/temp folders for the jobs it runs. */
  readonly env: NodeEnvironment;
  readonly concurrency: number;
  readonly executionProvider: ExecutionProviderName;
  /** The engine's settings but its folders and provider (one engine thread per concurrent job). */
  readonly engine: Omit<EngineHostOptions, 'env' | 'executionProvider' | 'onExecutionProvider'>;
  readonly id?: string;
  /** How late a step preview may be and still be sent (the local pacing rule, with this worker's clock). */
  readonly previewMaxLagMs?: number;
  readonly log: (line: string) => void;
}

interface Slot {
  readonly index: number;
  /** Its own output and temp folders: SaveImage numbers files by what its folder holds, so engines must not share one. */
  readonly env: NodeEnvironment;
  readonly engine: EngineHost;
  running: { promptId: string; node: string | null; startedAt: number } | undefined;
}

/** BullMQ's lock on a job: renewed every half of it while the worker lives; a job whose lock lapses is retried. */
const LOCK_MS = 3_000;

/**
 * A process that runs jobs from its group's BullMQ queue on its own engine threads, relaying every event (step
 * previews encoded here, with the local pacing rule; images it writes) to the run's Redis stream. It never listens
 * on a port and never connects to the coordinator: Redis (with its password) is the only way in.
 */
export class ClusterWorker {
  readonly id: string;
  private readonly slots: Slot[];
  private readonly group: string;
  private readonly options: Record<string, string[]>;
  private readonly startedAt = Date.now();
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private worker: Worker | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopping = false;
  private redisLost = false;

  constructor(private readonly config: ClusterWorkerOptions) {
    this.id = config.id ?? `${hostname()}-${process.pid}`;
    this.options = advertisedOptions(createRegistry(), config.env);
    this.group = workerGroup(this.options, config.executionProvider);
    this.slots = Array.from({ length: config.concurrency }, (_, index) => {
      const env: NodeEnvironment = {
        ...config.env,
        outputDir: join(config.env.outputDir, `engine-${index}`),
        tempDir: join(config.env.tempDir, `engine-${index}`),
      };
      return { index, env, engine: this.engineFor(env), running: undefined };
    });
    this.redis = new Redis(config.redisUrl, redisOptions());
    this.subscriber = new Redis(config.redisUrl, redisOptions());
    this.redis.on('error', () => {
      // Reported once, by the close and ready handlers: ioredis retries on its own.
    });
    this.subscriber.on('error', () => {});
    this.redis.on('close', () => {
      if (this.redisLost || this.stopping) return;
      this.redisLost = true;
      config.log(`worker ${this.id}: lost Redis at ${redactUrl(config.redisUrl)}: taking no jobs until it is back`);
    });
    this.redis.on('ready', () => {
      if (!this.redisLost) return;
      this.redisLost = false;
      config.log(`worker ${this.id}: Redis is back: taking jobs again`);
      this.beat();
    });
  }

  private engineFor(env: NodeEnvironment): EngineHost {
    return new EngineHost({
      ...this.config.engine,
      env,
      executionProvider: this.config.executionProvider,
      onExecutionProvider: (status) => this.config.log(`worker ${this.id}: ${describeExecutionProviderStatus(status)}`),
    });
  }

  /** The queue group this worker serves (workers with the same models and provider share it). */
  get queueGroup(): string {
    return this.group;
  }

  async start(): Promise<void> {
    mkdirSync(this.config.env.inputDir, { recursive: true });
    for (const { env } of this.slots)
      for (const dir of [env.outputDir, env.tempDir]) mkdirSync(dir, { recursive: true });
    for (const slot of this.slots) slot.engine.start();
    await reachRedis(this.redis.ping(), this.config.redisUrl);
    await this.subscriber.subscribe(INTERRUPT_CHANNEL);
    this.subscriber.on('message', (_channel: string, promptId: string) => this.interrupt(promptId));
    this.worker = new Worker(groupQueueName(this.group), (job) => this.process(job), {
      connection: new Redis(this.config.redisUrl, redisOptions()),
      prefix: BULL_PREFIX,
      concurrency: this.config.concurrency,
      lockDuration: LOCK_MS,
      stalledInterval: LOCK_MS / 2,
      maxStalledCount: MAX_LOST_WORKERS,
      // A run's result travels in its stream; the queue keeps no record of it beyond its end.
      removeOnComplete: { count: 0 },
      removeOnFail: { age: RUN_KEY_TTL_S },
    });
    this.worker.on('error', () => {
      // Connection errors: the close handler above says so once; BullMQ reconnects by itself.
    });
    await this.worker.waitUntilReady();
    // Its advert is in Redis before it says it takes jobs: a coordinator asked from then on lists it.
    await this.redis.set(workerKey(this.id), JSON.stringify(this.advert()), 'PX', HEARTBEAT_TTL_MS);
    await this.redis.publish(WORKERS_CHANNEL, this.id);
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.config.log(
      `worker ${this.id}: taking jobs from ${groupQueueName(this.group)} (${this.config.concurrency} at a time, ${this.config.executionProvider}; models: ${this.modelList()})`,
    );
  }

  private modelList(): string {
    const names = new Set(Object.values(this.options).flat());
    return names.size === 0 ? 'none' : [...names].sort().join(', ');
  }

  private advert(): WorkerAdvert {
    const jobs = this.slots.flatMap((slot) => (slot.running ? [slot.running] : []));
    return {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      group: this.group,
      // The one its sessions run on once a model loaded (cpu after a fallback); the one asked for until then.
      executionProvider: this.slots[0]?.engine.executionProvider().active ?? this.config.executionProvider,
      concurrency: this.config.concurrency,
      options: this.options,
      state: this.stopping ? 'stopping' : jobs.length > 0 ? 'busy' : 'idle',
      jobs,
      heartbeatAt: Date.now(),
      startedAt: this.startedAt,
    };
  }

  private beat(notify = false): void {
    if (this.redisLost) return;
    // Pub/sub is fire-and-forget (a message sent while a connection was down is gone): the mark is read as well.
    for (const slot of this.slots) {
      const running = slot.running;
      if (running)
        this.redis
          .exists(interruptKey(running.promptId))
          .then((marked) => {
            if (marked > 0 && slot.running === running) slot.engine.interrupt();
          })
          .catch(() => {});
    }
    const text = JSON.stringify(this.advert());
    this.redis.set(workerKey(this.id), text, 'PX', HEARTBEAT_TTL_MS).catch(() => {});
    if (notify) this.redis.publish(WORKERS_CHANNEL, this.id).catch(() => {});
  }

  private interrupt(promptId: string): void {
    for (const slot of this.slots) if (slot.running?.promptId === promptId) slot.engine.interrupt();
  }

  private async process(job: Job): Promise<void> {
    const parsed = clusterJobSchema.safeParse(job.data);
    if (!parsed.success) throw new Error(`not an Inkgraph job: ${parsed.error.issues[0]?.message ?? ''}`);
    const slot = this.slots.find((candidate) => !candidate.running);
    if (!slot) throw new Error('no free engine (more jobs than --concurrency)');
    const data = parsed.data;
    const promptId = data.request.promptId;
    slot.running = { promptId, node: null, startedAt: Date.now() };
    try {
      await this.run(slot, data);
    } finally {
      slot.running = undefined;
      this.beat(true);
    }
  }

  private async run(slot: Slot, data: ClusterJob): Promise<void> {
    const { request } = data;
    const stream = runStreamKey(request.promptId);
    // Entries go out in order on this connection, without waiting for each: a step never waits on Redis. They name
    // the attempt, which Redis counts; the engine starts meanwhile, and what it says first waits for the count.
    let relayFailure: string | undefined;
    let attempt = 0;
    const held: [(attempt: number) => RelayEntry, Uint8Array | undefined][] = [];
    // Entries made in one turn go out as one transaction: Redis wakes the coordinator's blocked read once, with all
    // of them, rather than once per entry (a run's end is three or four entries at once).
    let batch: (string | Buffer)[][] = [];
    const failed = (error: unknown): void => {
      relayFailure ??= error instanceof Error ? error.message : String(error);
    };
    const sendBatch = (): void => {
      const entries = batch;
      batch = [];
      if (entries.length === 1) {
        this.redis.xadd(stream, '*', ...entries[0]!).catch(failed);
        return;
      }
      const transaction = this.redis.multi();
      for (const fields of entries) transaction.xadd(stream, '*', ...fields);
      transaction
        .exec()
        .then((replies) => {
          for (const [error] of replies ?? []) if (error) failed(error);
        })
        .catch(failed);
    };
    const send = (entry: RelayEntry, bytes?: Uint8Array): void => {
      batch.push(relayFields(entry, bytes));
      if (batch.length === 1) queueMicrotask(sendBatch);
    };
    const relay = (make: (attempt: number) => RelayEntry, bytes?: Uint8Array): void => {
      if (attempt > 0) send(make(attempt), bytes);
      else held.push([make, bytes]);
    };
    const counted = this.redis
      .multi()
      .incr(attemptKey(request.promptId))
      .expire(attemptKey(request.promptId), RUN_KEY_TTL_S)
      .exec()
      .then((replies) => {
        const value = Number(replies?.[0]?.[1] ?? Number.NaN);
        if (!Number.isInteger(value) || value < 1) throw new Error('Redis did not count the attempt');
        attempt = value;
        send({ type: 'started', attempt, worker: this.id, engine: slot.index, at: Date.now() });
        for (const [make, bytes] of held.splice(0)) send(make(attempt), bytes);
      });
    this.beat(true);
    this.placeImageFiles(data);
    const maxLagMs = this.config.previewMaxLagMs ?? PREVIEW_MAX_LAG_MS;
    const onEvent = (event: EngineEvent): void => {
      switch (event.type) {
        case 'cached':
          relay((attempt) => ({ type: 'cached', attempt, nodes: event.nodes }));
          return;
        case 'node_start':
          if (slot.running) slot.running.node = event.node;
          relay((attempt) => ({ type: 'node_start', attempt, node: event.node }));
          return;
        case 'progress': {
          const step = { value: event.value, max: event.max, reportedAt: event.reportedAt };
          const preview = event.preview;
          if (preview && preview.kind !== 'encoded' && shouldSendPreview(preview, step, Date.now(), maxLagMs)) {
            const { mimeType, bytes } = encodeStepPreview(preview);
            const droppable = preview.kind !== 'image';
            relay(
              (attempt) => ({ type: 'progress', attempt, node: event.node, ...step, preview: { mimeType, droppable } }),
              bytes,
            );
          } else {
            relay((attempt) => ({ type: 'progress', attempt, node: event.node, ...step }));
          }
          return;
        }
        case 'node_done':
          for (const image of event.ui?.images ?? []) {
            if (image.type === 'input') continue;
            const bytes = this.readOwnFile(slot.env, image.type, image.subfolder, image.filename);
            const { subfolder, filename } = image;
            const folder = image.type;
            if (bytes) relay((attempt) => ({ type: 'file', attempt, folder, subfolder, filename }), bytes);
          }
          relay((attempt) => ({
            type: 'node_done',
            attempt,
            node: event.node,
            ...(event.ui ? { ui: event.ui } : {}),
            fromCache: event.fromCache,
            ms: event.ms,
          }));
          return;
        case 'finished':
        case 'session_threads':
          return;
      }
    };
    const finished = slot.engine.execute({ ...request, extraPngInfo: request.extraPngInfo }, onEvent);
    // Interrupted before it reached this worker (or while a lost worker had it): it stops at its first step.
    if ((await this.redis.exists(interruptKey(request.promptId))) > 0) slot.engine.interrupt();
    const result: ExecutionResult = await finished;
    await counted;
    relay((attempt) => ({ type: 'finished', attempt, result }));
    await this.redis.expire(stream, RUN_KEY_TTL_S);
    if (relayFailure !== undefined) throw new Error(`could not relay the run to Redis: ${relayFailure}`);
  }

  /** Writes the images the job reads (sent with it by the coordinator) into this worker's folders. */
  private placeImageFiles(data: ClusterJob): void {
    for (const file of data.files) {
      const folder = imageFolderPath(this.config.env, file.folder);
      const path = resolveInside(folder, file.name);
      if (!path.ok) continue;
      const bytes = Buffer.from(file.base64, 'base64');
      if (existsSync(path.value) && readFileSync(path.value).equals(bytes)) continue;
      mkdirSync(dirname(path.value), { recursive: true });
      writeFileAtomic(path.value, bytes);
    }
  }

  private readOwnFile(
    env: NodeEnvironment,
    folder: 'output' | 'temp',
    subfolder: string,
    filename: string,
  ): Buffer | undefined {
    const path = resolveInside(imageFolderPath(env, folder), subfolder === '' ? filename : `${subfolder}/${filename}`);
    if (!path.ok) return undefined;
    try {
      return readFileSync(path.value);
    } catch {
      return undefined;
    }
  }

  /** Stops taking jobs, lets the running ones finish (their relays complete), and leaves the cluster. */
  async close(): Promise<void> {
    this.stopping = true;
    this.beat(true);
    clearInterval(this.heartbeat);
    await this.worker?.close();
    await Promise.all(this.slots.map((slot) => slot.engine.close()));
    // Its advert would expire by itself: leaving says so at once, if Redis answers soon.
    const leaving = this.redis.del(workerKey(this.id)).then(() => this.redis.publish(WORKERS_CHANNEL, this.id));
    await reachRedis(leaving, this.config.redisUrl, 2_000).catch(() => {});
    this.subscriber.disconnect();
    this.redis.disconnect();
  }
}

import type { Worker } from 'node:worker_threads';
import type { NodeEnvironment } from '../../nodes/contract/node-context.js';
import type { UiOutput } from '../../shared/protocol.js';
import type { ExecutionProviderName, ExecutionProviderStatus } from '../../shared/execution-provider.js';
import type {
  EngineEvent,
  EngineMessage,
  EngineWorkerData,
  ExecuteJob,
  ExecutionResult,
  SessionThreads,
} from './engine-events.js';
import { NATIVE_IDLE, NATIVE_IN_CALL, NATIVE_STOPPED } from '../../nodes/contract/native-call-state.js';
import { startWorker } from '../thread-start.js';

export interface EngineHostOptions {
  readonly env: NodeEnvironment;
  /** How many node results the output cache keeps (least recently used are evicted). */
  readonly outputCacheSize: number;
  /** How many bytes of node results the output cache keeps. */
  readonly cacheMemoryBytes?: number;
  /** The memory budget of one job (model calls are split to fit a share of it). */
  readonly memoryBudgetBytes?: number;
  /** How many models (sessions) stay loaded at once. */
  readonly maxModels: number;
  /**
   * How long an interrupted job may take to stop before its worker is abandoned (ms): one model call cannot be
   * stopped from JavaScript, so past this the job ends as interrupted and the next job gets a fresh worker.
   */
  readonly interruptGraceMs?: number;
  /** `--threads N` for every session; absent, the engine times each model's candidates when it loads it. */
  readonly threads?: number;
  /** Told of each session's threads as the engine chooses them. */
  readonly onSessionThreads?: (threads: SessionThreads) => void;
  /** `--execution-provider NAME`: what every session asks for first (absent: cpu); one that cannot start runs on cpu. */
  readonly executionProvider?: ExecutionProviderName;
  /** Told when the first session is created on a provider, and when one falls back to cpu (with the reason). */
  readonly onExecutionProvider?: (provider: ExecutionProviderStatus) => void;
}

interface RunningJob {
  readonly job: ExecuteJob;
  readonly onEvent: (event: EngineEvent) => void;
  readonly resolve: (result: ExecutionResult) => void;
  lastNode: string;
  readonly startedAt: number;
  readonly executed: string[];
  readonly outputs: Record<string, UiOutput>;
  abandonTimer?: NodeJS.Timeout;
}

interface EngineWorker {
  readonly thread: Worker;
  /** Its own interrupt flag, so a worker being abandoned can never see a later job's flag cleared. */
  readonly flag: Int32Array;
  /** Whether onnxruntime is inside a call in it (nodes/runtime/onnx/session.ts). */
  readonly nativeState: Int32Array;
}

/**
 * Terminates a worker once no onnxruntime call is in progress in it (terminating during one aborts the process),
 * first claiming it so that no new call starts.
 */
async function terminateSafely(worker: EngineWorker): Promise<number> {
  while (Atomics.compareExchange(worker.nativeState, 0, NATIVE_IDLE, NATIVE_STOPPED) === NATIVE_IN_CALL) {
    const wait = Atomics.waitAsync(worker.nativeState, 0, NATIVE_IN_CALL);
    if (wait.async) await wait.value;
  }
  return worker.thread.terminate();
}

const DEFAULT_INTERRUPT_GRACE_MS = 1_000;

/**
 * The main thread's handle on the engine worker: hands it one job at a time, relays its events, interrupts it
 * through shared memory (seen at the next progress point even while the worker is busy), replaces it if it dies
 * (failing only the job it was running), and abandons it when an interrupt is not honoured in time.
 */
export class EngineHost {
  private worker: EngineWorker | undefined;
  private running: RunningJob | undefined;
  private closing = false;
  /** Workers abandoned mid-call: they end when their model call returns; close() waits for them. */
  private readonly abandoned = new Set<Promise<number>>();
  private abandonedTotal = 0;
  private readonly sessionThreads = new Map<string, SessionThreads>();
  private provider: ExecutionProviderStatus;

  constructor(private readonly options: EngineHostOptions) {
    this.provider = { requested: options.executionProvider ?? 'cpu', active: null };
  }

  /** Starts the worker thread now, so its modules load while the caller does other work; execute() would anyway. */
  start(): void {
    if (!this.closing) this.ensureWorker();
  }

  private ensureWorker(): EngineWorker {
    if (this.worker) return this.worker;
    const interruptFlag = new SharedArrayBuffer(4);
    const nativeCallState = new SharedArrayBuffer(4);
    const workerData: EngineWorkerData = {
      env: this.options.env,
      interruptFlag,
      nativeCallState,
      outputCacheSize: this.options.outputCacheSize,
      cacheMemoryBytes: this.options.cacheMemoryBytes ?? Number.POSITIVE_INFINITY,
      memoryBudgetBytes: this.options.memoryBudgetBytes ?? Number.POSITIVE_INFINITY,
      maxModels: this.options.maxModels,
      ...(this.options.threads !== undefined ? { threads: this.options.threads } : {}),
      executionProvider: this.provider.requested,
    };
    const thread = startWorker('server/worker/worker', workerData);
    const worker: EngineWorker = {
      thread,
      flag: new Int32Array(interruptFlag),
      nativeState: new Int32Array(nativeCallState),
    };
    thread.on('message', (event: EngineMessage) => {
      if (this.worker === worker) this.onEvent(event);
    });
    thread.on('error', (error) => this.onWorkerGone(worker, `the engine worker failed: ${error.message}`));
    thread.on('exit', (code) => this.onWorkerGone(worker, `the engine worker exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  /** The threads each session loaded so far was given at load, and per input shape since. */
  threads(): SessionThreads[] {
    return [...this.sessionThreads.values()];
  }

  /**
   * The execution provider asked for and the one the sessions run on: `active` is null until the engine created its
   * first session; cpu with `fallbackReason` when the one asked for could not start.
   */
  executionProvider(): ExecutionProviderStatus {
    return this.provider;
  }

  private onEvent(event: EngineMessage): void {
    if (event.type === 'execution_provider') {
      // A replacement worker reports again when its first session loads: told only of a change.
      const known = this.provider;
      if (known.active === event.active && known.fallbackReason === event.reason) return;
      this.provider = {
        requested: event.requested,
        active: event.active,
        ...(event.reason !== undefined ? { fallbackReason: event.reason } : {}),
      };
      this.options.onExecutionProvider?.(this.provider);
      return;
    }
    if (event.type === 'session_threads') {
      // A model's choice at load, and one per input shape its calls have since decided.
      this.sessionThreads.set(`${event.threads.path} ${event.threads.shape ?? ''}`, event.threads);
      this.options.onSessionThreads?.(event.threads);
      return;
    }
    const running = this.running;
    if (!running || event.promptId !== running.job.promptId) return;
    if (event.type === 'node_start') running.lastNode = event.node;
    if (event.type === 'node_done') {
      if (!event.fromCache) running.executed.push(event.node);
      if (event.ui) running.outputs[event.node] = event.ui;
    }
    if (event.type === 'finished') {
      this.settle(running, event.result);
      return;
    }
    running.onEvent(event);
  }

  private settle(running: RunningJob, result: ExecutionResult): void {
    if (this.running !== running) return;
    clearTimeout(running.abandonTimer);
    this.running = undefined;
    running.resolve(result);
  }

  private endedEarly(running: RunningJob, status: 'error' | 'interrupted', reason: string): ExecutionResult {
    const nodeType = running.job.prompt[running.lastNode]?.class_type ?? '';
    const timing = {
      nodeRunMs: 0,
      sessionRunMs: 0,
      sessionRuns: 0,
      totalMs: performance.now() - running.startedAt,
      nodesRun: running.executed.length,
    };
    if (status === 'interrupted')
      return {
        status,
        outputs: running.outputs,
        executed: running.executed,
        interruptedAt: { node: running.lastNode, nodeType },
        timing,
      };
    return {
      status,
      outputs: running.outputs,
      executed: running.executed,
      failure: {
        node: running.lastNode,
        nodeType,
        message: reason,
        exceptionType: 'EngineWorkerError',
        traceback: [],
        currentInputs: {},
      },
      timing,
    };
  }

  private onWorkerGone(worker: EngineWorker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const running = this.running;
    if (!running || this.closing) return;
    this.settle(running, this.endedEarly(running, 'error', reason));
  }

  /** The job did not stop in time: it ends as interrupted now, and its worker is let go (it ends when its call returns). */
  private abandon(running: RunningJob): void {
    const worker = this.worker;
    if (this.running !== running || !worker) return;
    this.worker = undefined;
    this.abandonedTotal += 1;
    const exited = terminateSafely(worker);
    this.abandoned.add(exited);
    void exited.finally(() => this.abandoned.delete(exited));
    this.settle(running, this.endedEarly(running, 'interrupted', ''));
  }

  /** How many workers were abandoned because an interrupted job did not stop in time (since the engine started). */
  get abandonedWorkers(): number {
    return this.abandonedTotal;
  }

  get isBusy(): boolean {
    return this.running !== undefined;
  }

  /** Runs one job; resolves when it finishes, fails or is interrupted (never rejects). */
  execute(job: ExecuteJob, onEvent: (event: EngineEvent) => void): Promise<ExecutionResult> {
    if (this.running) return Promise.reject(new Error('the engine is already running a job'));
    const worker = this.ensureWorker();
    Atomics.store(worker.flag, 0, 0);
    return new Promise<ExecutionResult>((resolve) => {
      this.running = {
        job,
        onEvent,
        resolve,
        lastNode: job.outputs[0] ?? '',
        startedAt: performance.now(),
        executed: [],
        outputs: {},
      };
      worker.thread.postMessage({ type: 'execute', job });
    });
  }

  /**
   * Asks the running job to stop at its next progress point; if it has not stopped within the grace period (one
   * long model call, a node without progress points), it is abandoned. Does nothing while idle.
   */
  interrupt(): void {
    const running = this.running;
    if (!running || !this.worker) return;
    Atomics.store(this.worker.flag, 0, 1);
    running.abandonTimer ??= setTimeout(
      () => this.abandon(running),
      this.options.interruptGraceMs ?? DEFAULT_INTERRUPT_GRACE_MS,
    );
  }

  free(options: { unloadModels: boolean; freeMemory: boolean }): void {
    this.worker?.thread.postMessage({ type: 'free', ...options });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.running) clearTimeout(this.running.abandonTimer);
    if (this.worker) Atomics.store(this.worker.flag, 0, 1);
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await terminateSafely(worker);
    await Promise.all(this.abandoned);
  }
}

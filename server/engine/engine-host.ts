import { Worker } from 'node:worker_threads';
import type { NodeEnvironment } from '../../nodes/define-node.js';
import type { EngineEvent, ExecuteJob, ExecutionResult } from './engine-events.js';
import type { EngineWorkerData } from './worker.js';

export interface EngineHostOptions {
  readonly env: NodeEnvironment;
  /** How many node results the output cache keeps (least recently used are evicted). */
  readonly outputCacheSize: number;
  /** How many models (sessions) stay loaded at once. */
  readonly maxModels: number;
}

interface RunningJob {
  readonly job: ExecuteJob;
  readonly onEvent: (event: EngineEvent) => void;
  readonly resolve: (result: ExecutionResult) => void;
  lastNode: string;
  readonly startedAt: number;
}

/**
 * The main thread's handle on the engine worker: hands it one job at a time, relays its events, interrupts it
 * through shared memory (seen at the next progress point even while the worker is busy), and replaces it if it
 * dies, failing only the job it was running.
 */
export class EngineHost {
  private worker: Worker | undefined;
  private readonly interruptFlag = new SharedArrayBuffer(4);
  private readonly flag = new Int32Array(this.interruptFlag);
  private running: RunningJob | undefined;
  private closing = false;

  constructor(private readonly options: EngineHostOptions) {}

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const workerData: EngineWorkerData & { entry: string } = {
      entry: new URL('./worker.ts', import.meta.url).href,
      env: this.options.env,
      interruptFlag: this.interruptFlag,
      outputCacheSize: this.options.outputCacheSize,
      maxModels: this.options.maxModels,
    };
    const worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), { workerData });
    worker.on('message', (event: EngineEvent) => this.onEvent(event));
    worker.on('error', (error) => this.onWorkerGone(worker, `the engine worker failed: ${error.message}`));
    worker.on('exit', (code) => this.onWorkerGone(worker, `the engine worker exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  private onEvent(event: EngineEvent): void {
    const running = this.running;
    if (!running || event.promptId !== running.job.promptId) return;
    if (event.type === 'node_start') running.lastNode = event.node;
    if (event.type === 'finished') {
      this.running = undefined;
      running.resolve(event.result);
      return;
    }
    running.onEvent(event);
  }

  private onWorkerGone(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const running = this.running;
    if (!running || this.closing) return;
    this.running = undefined;
    running.resolve({
      status: 'error',
      outputs: {},
      executed: [],
      failure: {
        node: running.lastNode,
        nodeType: running.job.prompt[running.lastNode]?.class_type ?? '',
        message: reason,
        exceptionType: 'EngineWorkerError',
        traceback: [],
        currentInputs: {},
      },
      timing: { nodeRunMs: 0, sessionRunMs: 0, sessionRuns: 0, totalMs: performance.now() - running.startedAt, nodesRun: 0 },
    });
  }

  get isBusy(): boolean {
    return this.running !== undefined;
  }

  /** Runs one job; resolves when it finishes, fails or is interrupted (never rejects). */
  execute(job: ExecuteJob, onEvent: (event: EngineEvent) => void): Promise<ExecutionResult> {
    if (this.running) return Promise.reject(new Error('the engine is already running a job'));
    Atomics.store(this.flag, 0, 0);
    const worker = this.ensureWorker();
    return new Promise<ExecutionResult>((resolve) => {
      this.running = { job, onEvent, resolve, lastNode: job.outputs[0] ?? '', startedAt: performance.now() };
      worker.postMessage({ type: 'execute', job });
    });
  }

  /** Asks the running job to stop at its next progress point. Does nothing while idle. */
  interrupt(): void {
    if (this.running) Atomics.store(this.flag, 0, 1);
  }

  free(options: { unloadModels: boolean; freeMemory: boolean }): void {
    this.worker?.postMessage({ type: 'free', ...options });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.interrupt();
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}

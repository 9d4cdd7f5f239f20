import { previewMethods, type PreviewMethod } from '../nodes/contract/node-context.js';
import type { HistoryEntry, ProgressNodeState, WsMessage } from '../shared/protocol.js';
import type { EngineEvent, ExecutionResult } from './engine/engine-events.js';
import type { EngineHost } from './engine/engine-host.js';
import { encodeStepPreview } from './preview-encoding.js';
import { shouldSendPreview } from './preview-pacing.js';
import { ProgressStates } from './progress-state.js';
import type { PromptQueue } from './prompt-queue.js';
import { jobWithoutSecrets, toQueueItem, type QueuedJob } from './queued-job.js';
import { statusMessage } from './queue-status.js';
import { JobStoreFlushError } from './store/job-store.js';
import type { WsHub } from './ws-hub.js';

export function parsePreviewMethod(value: unknown, fallback: PreviewMethod): PreviewMethod {
  if (value === 'taesd') return 'vae';
  return previewMethods.find((method) => method === value) ?? fallback;
}

export interface ExecutionServiceOptions {
  readonly previewMethod: PreviewMethod;
  readonly previewEvery: number;
  /** How late a step preview may reach the main thread and still be sent (preview-pacing.ts). */
  readonly previewMaxLagMs: number;
  readonly log: (line: string) => void;
  /** Called with each finished job's timings (benchmarks read them). */
  readonly onFinished?: (promptId: string, result: ExecutionResult) => void;
}

/**
 * Moves jobs from the queue through the engine, one at a time, and turns the engine's events into ComfyUI's
 * message sequence: execution_start, execution_cached, per node progress_state/executing/progress/previews/
 * executed, then success/error/interrupted, history, and `executing {node: null}`. The `status` messages between
 * them are the queue's own announcements (see `broadcastQueueStatus`).
 */
export class ExecutionService {
  private runningNode: string | undefined;
  /** The run in progress, settled when its history entry is written (or it is put back in the queue). */
  private activeRun: Promise<void> | undefined;
  /** Set by `drain`: no job starts, and an interrupted run goes back to the queue instead of into history. */
  private draining = false;
  /** Set once drained: the store is about to close, nothing more is written. */
  private stopped = false;
  /** Set when `drain` interrupts the running job: its interruption puts it back in the queue. */
  private interruptedForShutdown = false;

  constructor(
    private readonly queue: PromptQueue,
    private readonly engine: EngineHost,
    private readonly hub: WsHub,
    private readonly options: ExecutionServiceOptions,
  ) {}

  /** The first messages a new socket gets. */
  greeting(clientId: string): WsMessage[] {
    const messages: WsMessage[] = [statusMessage(this.queue, clientId)];
    const current = this.queue.current;
    if (current?.extraData.client_id === clientId && this.runningNode !== undefined) {
      messages.push({ type: 'executing', data: { node: this.runningNode } });
    }
    return messages;
  }

  /** Queues a job, durably, and starts it if the engine is free (before the disk flush: see `PromptQueue.put`). */
  submit(job: QueuedJob): void {
    try {
      this.queue.put(job, () => this.pump());
    } catch (error) {
      if (!(error instanceof JobStoreFlushError)) throw error;
      this.options.log(`job ${job.promptId} is queued, but ${error.message}: it may not survive a power cut`);
    }
  }

  /** True once shutdown has begun: new prompts are refused. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Pauses or resumes the queue (a store fault throws, changing nothing); resuming starts the next job. */
  setPaused(paused: boolean): void {
    this.queue.setPaused(paused);
    if (!paused) this.pump();
  }

  /** Starts the queue (restored jobs run at once unless the queue was left paused). */
  start(): void {
    this.pump();
  }

  /**
   * Stops taking jobs and lets the running one finish within `graceMs`; past that it is interrupted and put
   * back in the queue (on disk), to run again after the restart. Resolves when nothing more will be written.
   */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    const run = this.activeRun;
    if (run && !(await settlesWithin(run, graceMs))) {
      this.interruptedForShutdown = true;
      this.engine.interrupt();
      // Interrupts are seen at every progress point; a node that has none cannot be stopped. The job goes back
      // to the queue all the same, as a shutdown's (left marked running, the next start would count a death).
      if (!(await settlesWithin(run, 10_000))) this.requeueForShutdown();
    }
    this.stopped = true;
  }

  private requeueForShutdown(): void {
    try {
      this.queue.requeueRunning('shutdown');
    } catch (error) {
      this.options.log(
        `could not put the running job back in the queue: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Interrupts the running job; with a prompt id, only if that job is the one running. */
  interrupt(promptId?: string): void {
    const current = this.queue.current;
    if (!current) return;
    if (promptId !== undefined && current.promptId !== promptId) return;
    this.engine.interrupt();
  }

  private pump(): void {
    if (this.queue.paused || this.draining || this.engine.isBusy || this.queue.current) return;
    let started: QueuedJob | undefined;
    try {
      this.queue.take((job) => {
        started = job;
        this.begin(job);
      });
    } catch (error) {
      // The job runs all the same; on disk it stays pending, so a crash before it ends re-runs it without counting a restart.
      this.options.log(
        `could not record the start of job ${started?.promptId ?? ''}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private begin(job: QueuedJob): void {
    const run = this.run(job).catch((error: unknown) => {
      // The store refused a write (disk full, say): the job stays on disk as it was and is re-run after a restart.
      this.options.log(
        `could not record the end of job ${job.promptId}: ${error instanceof Error ? error.message : String(error)}`,
      );
      this.pump();
    });
    this.activeRun = run;
    void run.finally(() => {
      if (this.activeRun === run) this.activeRun = undefined;
    });
  }

  private async run(job: QueuedJob): Promise<void> {
    const { promptId, prompt, extraData, outputs } = job;
    const clientId = extraData.client_id;
    const messages: [string, Record<string, unknown>][] = [];
    const toClient = (message: WsMessage): void => {
      if (clientId !== undefined) this.hub.sendTo(clientId, message);
    };
    const progressNodes = new ProgressStates();
    const setProgress = (node: string, value: number, max: number, state: ProgressNodeState['state']): void => {
      const nodes = progressNodes.update({
        value,
        max,
        state,
        node_id: node,
        prompt_id: promptId,
        display_node_id: node,
        parent_node_id: null,
        real_node_id: node,
      });
      this.hub.sendToOrBroadcast(clientId, { type: 'progress_state', data: { prompt_id: promptId, nodes } });
    };

    const onEvent = (event: EngineEvent): void => {
      switch (event.type) {
        case 'cached': {
          const data = { nodes: event.nodes, prompt_id: promptId, timestamp: Date.now() };
          messages.push(['execution_cached', data]);
          toClient({ type: 'execution_cached', data });
          return;
        }
        case 'node_start':
          this.runningNode = event.node;
          setProgress(event.node, 0, 1, 'running');
          toClient({ type: 'executing', data: { node: event.node, display_node: event.node, prompt_id: promptId } });
          // After the client hears it: a job that kills the process is then reported at this node.
          this.queue.nodeStarted(promptId, event.node);
          return;
        case 'progress':
          setProgress(event.node, event.value, event.max, 'running');
          this.hub.sendToOrBroadcast(clientId, {
            type: 'progress',
            data: { value: event.value, max: event.max, prompt_id: promptId, node: event.node },
          });
          if (event.preview && shouldSendPreview(event.preview, event, Date.now(), this.options.previewMaxLagMs)) {
            const preview = event.preview;
            this.hub.sendPreview(
              clientId,
              { promptId, nodeId: event.node },
              () => encodeStepPreview(preview),
              preview.kind !== 'image',
            );
          }
          return;
        case 'node_done':
          if (event.ui || event.fromCache) {
            toClient({
              type: 'executed',
              data: { node: event.node, display_node: event.node, output: event.ui ?? null, prompt_id: promptId },
            });
          }
          // A cached output node is finished too (ComfyUI's execute() calls finish_progress on its cache hit): the
          // client's progress bar completes on a fully cached re-run. It never ran, so its value is max's default, 1.
          setProgress(
            event.node,
            progressNodes.get(event.node)?.max ?? 1,
            progressNodes.get(event.node)?.max ?? 1,
            'finished',
          );
          return;
        case 'finished':
        // The host keeps session threads for /system_stats; they are no job's message.
        case 'session_threads':
          return;
      }
    };

    // The engine gets the job first; what the main thread does next (the queue's write, the first messages) overlaps it.
    const finished = this.engine.execute(
      {
        promptId,
        prompt,
        outputs,
        extraPngInfo: extraData.extra_pnginfo,
        previewMethod: parsePreviewMethod(extraData.preview_method, this.options.previewMethod),
        previewEvery: this.options.previewEvery,
      },
      onEvent,
    );
    // Events arrive from the next turn of the event loop on, so these go out (and into the history) before any of them.
    const { restarts, lastRestart } = this.queue.currentRestarts;
    if (restarts > 0) {
      const reason =
        lastRestart === 'shutdown'
          ? 'the server shut down before the run finished'
          : 'the server stopped (crash or kill) while the job ran';
      messages.push(['execution_restarted', { prompt_id: promptId, restarts, reason, timestamp: Date.now() }]);
    }
    const start = { prompt_id: promptId, timestamp: Date.now() };
    messages.push(['execution_start', start]);
    toClient({ type: 'execution_start', data: start });
    const result = await finished;
    this.runningNode = undefined;
    if (this.stopped) return;
    if (this.interruptedForShutdown && result.status === 'interrupted') {
      this.requeueForShutdown();
      return;
    }

    if (result.status === 'success') {
      const data = { prompt_id: promptId, timestamp: Date.now() };
      messages.push(['execution_success', data]);
      toClient({ type: 'execution_success', data });
    } else if (result.status === 'interrupted') {
      const at = result.interruptedAt;
      const data = {
        prompt_id: promptId,
        node_id: at.node,
        node_type: at.nodeType,
        executed: result.executed,
        timestamp: Date.now(),
      };
      messages.push(['execution_interrupted', data]);
      // Interrupts go to the prompt's client, or to everyone when it has none.
      this.hub.sendToOrBroadcast(clientId, { type: 'execution_interrupted', data });
    } else {
      const failure = result.failure;
      const data = {
        prompt_id: promptId,
        node_id: failure.node,
        node_type: failure.nodeType,
        executed: result.executed,
        exception_message: failure.message,
        exception_type: failure.exceptionType,
        traceback: failure.traceback,
        current_inputs: failure.currentInputs,
        current_outputs: result.executed,
        timestamp: Date.now(),
      };
      messages.push(['execution_error', data]);
      toClient({ type: 'execution_error', data });
    }

    const entry: HistoryEntry = {
      prompt: toQueueItem(jobWithoutSecrets(job)),
      outputs: result.outputs,
      status: {
        status_str: result.status === 'success' ? 'success' : 'error',
        completed: result.status === 'success',
        messages,
      },
      meta: Object.fromEntries(
        Object.keys(result.outputs).map((node) => [
          node,
          { node_id: node, display_node: node, parent_node: null, real_node_id: node },
        ]),
      ),
    };
    this.options.onFinished?.(promptId, result);
    this.queue.complete(promptId, entry, () => {
      toClient({ type: 'executing', data: { node: null, prompt_id: promptId } });
      this.pump();
    });
  }
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.finally(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

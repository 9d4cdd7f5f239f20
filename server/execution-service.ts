import { previewMethods, type PreviewMethod } from '../nodes/contract/node-context.js';
import type { HistoryEntry, ProgressNodeState, WsMessage } from '../shared/protocol.js';
import type { ExecutionResult } from './engine/engine-events.js';
import type { JobRunner, RunEvent } from './job-runner.js';
import { encodeStepPreview, isDroppablePreview } from './preview-encoding.js';
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
 * Moves jobs from the queue through the runner (one at a time on the local engine; one per free worker in a
 * cluster), and turns the engine's events into ComfyUI's
 * message sequence: execution_start, execution_cached, per node progress_state/executing/progress/previews/
 * executed, then success/error/interrupted, history, and `executing {node: null}`. The `status` messages between
 * them are the queue's own announcements (see `broadcastQueueStatus`).
 */
export class ExecutionService {
  /** The node each running job is in. */
  private readonly runningNodes = new Map<string, string>();
  /** The runs in progress, each settled when its history entry is written (or it is put back in the queue). */
  private readonly activeRuns = new Set<Promise<void>>();
  /** Set by `drain`: no job starts, and an interrupted run goes back to the queue instead of into history. */
  private draining = false;
  /** Set once drained: the store is about to close, nothing more is written. */
  private stopped = false;
  /** Set when `drain` interrupts the running jobs: their interruption puts them back in the queue. */
  private interruptedForShutdown = false;

  constructor(
    private readonly queue: PromptQueue,
    private readonly runner: JobRunner,
    private readonly hub: WsHub,
    private readonly options: ExecutionServiceOptions,
  ) {
    runner.onCapacity(() => this.pump());
  }

  /** The first messages a new socket gets. */
  greeting(clientId: string): WsMessage[] {
    const messages: WsMessage[] = [statusMessage(this.queue, clientId)];
    for (const job of this.queue.runningJobs) {
      const node = this.runningNodes.get(job.promptId);
      if (job.extraData.client_id === clientId && node !== undefined) {
        messages.push({ type: 'executing', data: { node } });
      }
    }
    return messages;
  }

  /**
   * Queues a job, durably, and starts it if a runner is free; resolves once it is on disk. The start comes before the
   * disk flush, and the flush waits a turn of the event loop: what the start sent (the engine's message; a cluster's
   * hand-over to Redis, which goes out only after the current turn) is on its way while the disk syncs.
   * A failed commit throws with nothing queued.
   */
  async submit(job: QueuedJob): Promise<void> {
    const flush = this.queue.putUnflushed(job);
    this.pump();
    await new Promise((resolve) => setImmediate(resolve));
    try {
      flush();
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
    const runs = Promise.all(this.activeRuns);
    if (this.activeRuns.size > 0 && !(await settlesWithin(runs, graceMs))) {
      this.interruptedForShutdown = true;
      for (const job of this.queue.runningJobs) this.runner.interrupt(job.promptId);
      // Interrupts are seen at every progress point; a node that has none cannot be stopped. The jobs go back
      // to the queue all the same, as a shutdown's (left marked running, the next start would count a death).
      if (!(await settlesWithin(runs, 10_000))) this.requeueForShutdown();
    }
    this.stopped = true;
  }

  private requeueForShutdown(promptId?: string): void {
    for (const job of this.queue.runningJobs) {
      if (promptId !== undefined && job.promptId !== promptId) continue;
      try {
        this.queue.requeueRunning(job.promptId, 'shutdown');
      } catch (error) {
        this.options.log(
          `could not put job ${job.promptId} back in the queue: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }

  /** Interrupts a running job; without a prompt id, every running job (on one machine, the one). */
  interrupt(promptId?: string): void {
    for (const job of this.queue.runningJobs) {
      if (promptId === undefined || job.promptId === promptId) this.runner.interrupt(job.promptId);
    }
  }

  private pump(): void {
    if (this.queue.paused || this.draining) return;
    for (;;) {
      let started: QueuedJob | undefined;
      try {
        started = this.queue.take(
          (job) => this.begin(job),
          (job) => this.runner.canStart(job),
        );
      } catch (error) {
        // The job runs all the same; on disk it stays pending, so a crash before it ends re-runs it without counting a restart.
        this.options.log(
          `could not record the start of a job: ${error instanceof Error ? error.message : String(error)}`,
        );
        continue;
      }
      if (!started) return;
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
    this.activeRuns.add(run);
    void run.finally(() => this.activeRuns.delete(run));
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

    const onEvent = (event: RunEvent): void => {
      switch (event.type) {
        case 'cached': {
          const data = { nodes: event.nodes, prompt_id: promptId, timestamp: Date.now() };
          messages.push(['execution_cached', data]);
          toClient({ type: 'execution_cached', data });
          return;
        }
        case 'retried': {
          // A worker was lost under the job: it runs again from the start on another. History marks it, as a
          // server restart's re-run is marked (ComfyUI has no socket message for either).
          messages.push([
            'execution_restarted',
            { prompt_id: promptId, restarts: event.attempt - 1, reason: event.reason, timestamp: Date.now() },
          ]);
          return;
        }
        case 'node_start':
          this.runningNodes.set(promptId, event.node);
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
              isDroppablePreview(preview),
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
    const finished = this.runner.execute(
      job,
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
    const { restarts, lastRestart } = this.queue.restartsOf(promptId);
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
    this.runningNodes.delete(promptId);
    if (this.stopped) return;
    if (this.interruptedForShutdown && result.status === 'interrupted') {
      this.requeueForShutdown(promptId);
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

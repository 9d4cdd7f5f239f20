import type { ExecutionProviderName } from '../../shared/execution-provider.js';
import type { UiOutput } from '../../shared/protocol.js';
import type { PreviewMimeType } from '../../shared/preview-frame.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import type { LatentPreview, NodeEnvironment, PreviewImage, PreviewMethod } from '../../nodes/contract/node-context.js';

/** What the engine worker is started with. */
export interface EngineWorkerData {
  readonly env: NodeEnvironment;
  readonly interruptFlag: SharedArrayBuffer;
  /** One Int32: whether onnxruntime is inside a call (see `shareNativeCallState`). */
  readonly nativeCallState: SharedArrayBuffer;
  readonly outputCacheSize: number;
  readonly cacheMemoryBytes: number;
  readonly memoryBudgetBytes: number;
  readonly maxModels: number;
  /** `--threads N`: every session's intra-op threads; absent, each model's are timed when it loads. */
  readonly threads?: number;
  /** `--execution-provider NAME`: what every session asks for first (absent: cpu); one that cannot start falls back to cpu. */
  readonly executionProvider?: ExecutionProviderName;
}

/** The onnxruntime threads a session was given, and how (nodes/runtime/onnx/tuned-session.ts), for /system_stats. */
export interface SessionThreads {
  readonly path: string;
  readonly threads: number;
  readonly spinning: boolean;
  readonly how: 'timed' | 'runs' | 'override' | 'default';
  /** For `runs`: the input dims of the calls timed. */
  readonly shape?: string;
  readonly timings: readonly { readonly threads: number; readonly spinning: boolean; readonly ms: number }[];
}

/** A session's threads as a log line: `label: N threads[, spinning] (how[ on shape]: each candidate's time)`. */
export function describeSessionThreads(
  threads: Pick<SessionThreads, 'threads' | 'spinning' | 'shape' | 'timings'> & { readonly how: string },
  label: string,
): string {
  const count = (n: number, spinning: boolean): string => `${n}${spinning ? ' spinning' : ''}`;
  const timings = threads.timings.map((t) => `${count(t.threads, t.spinning)} ${t.ms.toFixed(2)} ms`).join(', ');
  const chosen = `${threads.threads} thread${threads.threads === 1 ? '' : 's'}${threads.spinning ? ', spinning' : ''}`;
  return `${label}: ${chosen} (${threads.how}${threads.shape ? ` on ${threads.shape}` : ''}${timings ? `: ${timings}` : ''})`;
}

/**
 * The execution provider the engine's sessions run on (nodes/runtime/onnx/execution-provider.ts): posted when its first
 * session is created, and again if a later one falls back to cpu. Only the host keeps it; it is no job's event.
 */
export interface ExecutionProviderEvent {
  readonly type: 'execution_provider';
  readonly promptId?: undefined;
  readonly requested: ExecutionProviderName;
  readonly active: ExecutionProviderName;
  /** Why `requested` could not start (onnxruntime's error), when `active` is its cpu fallback. */
  readonly reason?: string;
}

/** What the main thread asks of the engine worker. */
export interface ExecuteJob {
  readonly promptId: string;
  /** The prompt as validation left it and the queue holds it: plain data, read typed by the worker's registry. */
  readonly prompt: ApiPrompt;
  readonly outputs: readonly string[];
  readonly extraPngInfo: Readonly<Record<string, unknown>> | undefined;
  readonly previewMethod: PreviewMethod;
  readonly previewEvery: number;
}

export type EngineRequest =
  | { readonly type: 'execute'; readonly job: ExecuteJob }
  | { readonly type: 'free'; readonly unloadModels: boolean; readonly freeMemory: boolean }
  | { readonly type: 'interrupt' };

/** A preview a progress event carries, as the engine made it. */
export type StepPreview =
  | { readonly kind: 'preview' | 'image'; readonly image: PreviewImage }
  | { readonly kind: 'latent'; readonly latent: LatentPreview }
  /** Encoded already (and paced) where it was made: a cluster worker's preview, relayed as it came. */
  | {
      readonly kind: 'encoded';
      readonly mimeType: PreviewMimeType;
      readonly bytes: Uint8Array;
      /** False for a full-size image a node streams (an output: never dropped for a slow client). */
      readonly droppable: boolean;
    };

/** What the engine reports while it runs a job, in order. */
export type EngineEvent =
  | { readonly type: 'cached'; readonly promptId: string; readonly nodes: string[] }
  | { readonly type: 'node_start'; readonly promptId: string; readonly node: string }
  | {
      readonly type: 'progress';
      readonly promptId: string;
      readonly node: string;
      readonly value: number;
      readonly max: number;
      /** When the engine reported the step (ms since the epoch), so the main thread can tell how far behind it is. */
      readonly reportedAt: number;
      /**
       * Raw pixels or a latent: `preview` and `latent` frames go out as JPEG, `image` frames (full-size images a node
       * streams) as PNG. The main thread renders and encodes them, so the engine's thread goes straight on to the
       * next model call.
       */
      readonly preview?: StepPreview;
    }
  | {
      readonly type: 'node_done';
      readonly promptId: string;
      readonly node: string;
      readonly ui: UiOutput | undefined;
      readonly fromCache: boolean;
      readonly ms: number;
    }
  | { readonly type: 'session_threads'; readonly promptId?: undefined; readonly threads: SessionThreads }
  | { readonly type: 'finished'; readonly promptId: string; readonly result: ExecutionResult };

/** Everything the engine worker posts: its events, and what only the host keeps. */
export type EngineMessage = EngineEvent | ExecutionProviderEvent;

export interface ExecutionFailure {
  readonly node: string;
  readonly nodeType: string;
  readonly message: string;
  readonly exceptionType: string;
  readonly traceback: string[];
  readonly currentInputs: Record<string, unknown[]>;
}

/** Time spent inside nodes' `run` calls, inside onnxruntime's `session.run`, and in the whole job (ms). */
export interface ExecutionTiming {
  readonly nodeRunMs: number;
  readonly sessionRunMs: number;
  readonly sessionRuns: number;
  readonly totalMs: number;
  readonly nodesRun: number;
}

interface ExecutionOutcome {
  /** The UI outputs of the output nodes that ran (or came from the cache), also when the job failed part way. */
  readonly outputs: Record<string, UiOutput>;
  readonly executed: string[];
  /** For measuring the engine's overhead. */
  readonly timing: ExecutionTiming;
}

/** How a job ended: each status carries what it needs (a failure, where it was interrupted). */
export type ExecutionResult =
  | (ExecutionOutcome & { readonly status: 'success' })
  | (ExecutionOutcome & { readonly status: 'error'; readonly failure: ExecutionFailure })
  | (ExecutionOutcome & {
      readonly status: 'interrupted';
      readonly interruptedAt: { readonly node: string; readonly nodeType: string };
    });

import type * as Ort from 'onnxruntime-node';
import { float16ToFloat32, float32ToFloat16 } from '../../../media/float16.js';
import { NATIVE_IDLE, NATIVE_IN_CALL } from '../../contract/native-call-state.js';
import type { ExecutionProviderName } from '../../../shared/execution-provider.js';
import { createWithProvider } from './execution-provider.js';
import { allCores, type ThreadOptions } from './thread-options.js';
import type { ThreadRoute } from './thread-route.js';

/**
 * Loading ONNX sessions and calling them with inputs cast to whatever dtype each model declares
 * (real exports differ: int32/int64 ids, float16 IO, scalar or [B] timesteps).
 */

export type InputType = 'float32' | 'float16' | 'int32' | 'int64';

export interface InputInfo {
  readonly name: string;
  readonly type: InputType;
  /** Dimensions: numbers are fixed, strings symbolic. */
  readonly shape: readonly (number | string)[];
}

export interface LoadedSession {
  readonly path: string;
  readonly session: Ort.InferenceSession;
  readonly ort: typeof Ort;
  readonly inputs: ReadonlyMap<string, InputInfo>;
  readonly outputNames: readonly string[];
  /** Output shapes as declared (numbers fixed, strings symbolic). */
  readonly outputShapes: ReadonlyMap<string, readonly (number | string)[]>;
  /** The execution provider it runs on: the one asked for (`--execution-provider`), or cpu when that failed. */
  readonly provider: ExecutionProviderName;
  /**
   * A small model's sessions under each thread option set kept (tuned-session.ts), `session` among them, and the
   * route that sends each call to the one fastest on its input shapes.
   */
  readonly threadSessions?: { readonly sessions: readonly Ort.InferenceSession[]; readonly route: ThreadRoute };
}

/** Releases a loaded model's sessions (every thread option set it keeps). */
export async function releaseSession(loaded: LoadedSession): Promise<void> {
  const sessions = loaded.threadSessions?.sessions ?? [loaded.session];
  for (const session of sessions) await session.release();
}

/** The key calls are routed by: every input's dims. */
function shapeKey(tensors: Record<string, Ort.Tensor>): string {
  let key = '';
  for (const tensor of Object.values(tensors)) key += `${tensor.dims.join('x')};`;
  return key;
}

/** Time spent inside `session.run` since the process started (ms), for the engine's overhead figures. */
export const sessionRunClock = { ms: 0, calls: 0 };

let nativeState: Int32Array | undefined;

/** Called once by the engine worker with the shared cell its host watches. */
export function shareNativeCallState(state: Int32Array): void {
  nativeState = state;
}

class EngineStoppingError extends Error {
  constructor() {
    super('the engine is stopping');
    this.name = 'AbortError';
  }
}

const SUPPORTED_TYPES = new Set<string>(['float32', 'float16', 'int32', 'int64']);

/** A model in memory (a patched copy), with the name its errors and logs use. */
export interface ModelBytes {
  readonly label: string;
  readonly bytes: Uint8Array;
}

/** onnxruntime-node is loaded on first use, so only the engine's worker thread ever loads the native module. */
export async function loadSession(
  source: string | ModelBytes,
  threads: ThreadOptions = allCores(),
): Promise<LoadedSession> {
  const ort = await import('onnxruntime-node');
  const spin = threads.spinning ? '1' : '0';
  const path = typeof source === 'string' ? source : source.label;
  const options: Ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads.threads,
    // ORT's pool threads busy-wait between parallel sections by default; on a 2-core machine that starves the
    // server's main thread (HTTP, WebSocket, previews) and slows every image (npm run bench): off unless timed faster.
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  };
  const { session, provider } = await createWithProvider((executionProviders) => {
    const withProviders = { ...options, executionProviders };
    return typeof source === 'string'
      ? ort.InferenceSession.create(source, withProviders)
      : ort.InferenceSession.create(source.bytes, withProviders);
  });
  const inputs = new Map<string, InputInfo>();
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor) throw new Error(`${path}: input ${meta.name} is not a tensor`);
    if (!SUPPORTED_TYPES.has(meta.type))
      throw new Error(`${path}: input ${meta.name} has unsupported type ${meta.type}`);
    inputs.set(meta.name, { name: meta.name, type: meta.type as InputType, shape: meta.shape });
  }
  const outputShapes = new Map<string, readonly (number | string)[]>();
  for (const meta of session.outputMetadata) if (meta.isTensor) outputShapes.set(meta.name, meta.shape);
  return { path, session, ort, inputs, outputNames: session.outputNames, outputShapes, provider };
}

/** A value to feed: float data (cast to float32/float16 as declared) or integers (cast to int32/int64). */
export interface Feed {
  readonly data: Float32Array | readonly number[];
  readonly dims: readonly number[];
}

/**
 * float32 tensors made for a Float32Array, by that array: a caller that feeds the same buffer at every step (a
 * sampler's latent, its context) gets the same tensor back, which reads the buffer's current values.
 */
const float32Tensors = new WeakMap<Float32Array, Ort.Tensor>();

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, index) => dim === b[index]);
}

function toTensor(ort: typeof Ort, info: InputInfo, feed: Feed): Ort.Tensor {
  if (info.type === 'float32' && feed.data instanceof Float32Array) {
    const known = float32Tensors.get(feed.data);
    if (known && sameDims(known.dims, feed.dims)) return known;
    const tensor = new ort.Tensor('float32', feed.data, [...feed.dims]);
    float32Tensors.set(feed.data, tensor);
    return tensor;
  }
  const dims = [...feed.dims];
  switch (info.type) {
    case 'float32':
      return new ort.Tensor('float32', Float32Array.from(feed.data), dims);
    case 'float16':
      return new ort.Tensor(
        'float16',
        float32ToFloat16(feed.data instanceof Float32Array ? feed.data : Float32Array.from(feed.data)),
        dims,
      );
    case 'int32':
      return new ort.Tensor(
        'int32',
        Int32Array.from(feed.data, (v) => Math.round(v)),
        dims,
      );
    case 'int64':
      return new ort.Tensor('int64', BigInt64Array.from(Array.from(feed.data, (v) => BigInt(Math.round(v)))), dims);
  }
}

export interface Output {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Runs a session, casting feeds to the declared types and float outputs back to float32. */
export async function runSession(
  loaded: LoadedSession,
  feeds: Record<string, Feed>,
  outputs?: readonly string[],
): Promise<Record<string, Output>> {
  const tensors: Record<string, Ort.Tensor> = {};
  for (const [name, info] of loaded.inputs) {
    const feed = feeds[name];
    if (!feed) throw new Error(`${loaded.path}: no value for input ${name}`);
    tensors[name] = toTensor(loaded.ort, info, feed);
  }
  const routed = loaded.threadSessions;
  const shape = routed ? shapeKey(tensors) : '';
  const candidate = routed ? routed.route.pick(shape) : 0;
  const session = routed?.sessions[candidate] ?? loaded.session;
  const started = performance.now();
  if (nativeState && Atomics.compareExchange(nativeState, 0, NATIVE_IDLE, NATIVE_IN_CALL) !== NATIVE_IDLE)
    throw new EngineStoppingError();
  let results: Ort.InferenceSession.OnnxValueMapType;
  try {
    results = outputs ? await session.run(tensors, [...outputs]) : await session.run(tensors);
  } finally {
    if (nativeState) {
      Atomics.store(nativeState, 0, NATIVE_IDLE);
      Atomics.notify(nativeState, 0);
    }
  }
  const took = performance.now() - started;
  routed?.route.record(shape, candidate, took);
  sessionRunClock.ms += took;
  sessionRunClock.calls += 1;
  const out: Record<string, Output> = {};
  for (const [name, tensor] of Object.entries(results)) {
    let data: Float32Array;
    if (tensor.type === 'float32') data = tensor.data as Float32Array;
    else if (tensor.type === 'float16') data = float16ToFloat32(tensor.data as Uint16Array);
    else continue;
    out[name] = { data, dims: tensor.dims };
  }
  return out;
}

/** Is dimension `index` of an input fixed to `value`? (e.g. a static batch of 1.) */
export function fixedDim(info: InputInfo | undefined, index: number): number | undefined {
  const dim = info?.shape[index];
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}

import { err, ok, type Result } from './result.js';

/**
 * The onnxruntime-node execution providers a session may ask for, by the name onnxruntime-node takes. Its Linux
 * build bundles `cpu` and `webgpu` and loads `cuda` and `tensorrt` from their libraries when present; `dml` is
 * Windows only and `coreml` macOS only. A provider that cannot start on this machine falls back to `cpu`
 * (nodes/runtime/onnx/execution-provider.ts).
 */
export const EXECUTION_PROVIDERS = ['cpu', 'webgpu', 'cuda', 'tensorrt', 'dml', 'coreml'] as const;

export type ExecutionProviderName = (typeof EXECUTION_PROVIDERS)[number];

const PLATFORM_NOTES: Partial<Record<ExecutionProviderName, string>> = { dml: 'Windows', coreml: 'macOS' };

/** The accepted names, for errors and help: `cpu, webgpu, cuda, tensorrt, dml (Windows), coreml (macOS)`. */
export function describeExecutionProviders(): string {
  return EXECUTION_PROVIDERS.map((name) => (PLATFORM_NOTES[name] ? `${name} (${PLATFORM_NOTES[name]})` : name)).join(
    ', ',
  );
}

/** An execution provider's name, as given (any case, spaces around it ignored), or why it is none. */
export function parseExecutionProvider(value: unknown): Result<ExecutionProviderName> {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  const name = EXECUTION_PROVIDERS.find((candidate) => candidate === text);
  if (name !== undefined) return ok(name);
  const given = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return err(`unknown execution provider ${given}: expected one of ${describeExecutionProviders()}`);
}

/** The provider the engine's sessions asked for and the one they run on, for /system_stats and the log. */
export interface ExecutionProviderStatus {
  readonly requested: ExecutionProviderName;
  /** Null until the engine has created its first session. */
  readonly active: ExecutionProviderName | null;
  /** Why `requested` could not start, when the sessions fell back to cpu. */
  readonly fallbackReason?: string;
}

/** The log line for a provider status: `onnxruntime: execution provider webgpu could not start (…); running on cpu`. */
export function describeExecutionProviderStatus(status: ExecutionProviderStatus): string {
  if (status.active === null) return `onnxruntime: execution provider ${status.requested} (no session yet)`;
  if (status.fallbackReason !== undefined)
    return `onnxruntime: execution provider ${status.requested} could not start (${status.fallbackReason}); running on ${status.active}`;
  return `onnxruntime: running on execution provider ${status.active}`;
}

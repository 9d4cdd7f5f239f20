import type { ExecutionProviderName } from '../../../shared/execution-provider.js';

/**
 * The onnxruntime execution provider every session of this thread asks for (`--execution-provider`), and the one
 * they get: a provider that fails to create a session (its library absent, no GPU adapter) falls back to cpu for
 * that session, and every later session goes straight to cpu. The engine worker passes each change on to the server.
 */

/** The provider sessions run on: `active` is `requested`, or cpu with the reason `requested` could not start. */
export interface ProviderChoice {
  readonly requested: ExecutionProviderName;
  readonly active: ExecutionProviderName;
  readonly reason?: string;
}

let requested: ExecutionProviderName = 'cpu';
let current: ProviderChoice | undefined;
let onChoice: ((choice: ProviderChoice) => void) | undefined;

/** Every session from now on asks for `name` first (a fallback already seen is forgotten). */
export function setExecutionProvider(name: ExecutionProviderName): void {
  requested = name;
  current = undefined;
}

export function requestedExecutionProvider(): ExecutionProviderName {
  return requested;
}

/** The provider sessions got so far; undefined until one was created. */
export function executionProviderChoice(): ProviderChoice | undefined {
  return current;
}

/** Called when the first session is created, and again if a later one falls back to cpu. */
export function onExecutionProviderChoice(listener: ((choice: ProviderChoice) => void) | undefined): void {
  onChoice = listener;
}

function settle(choice: ProviderChoice): void {
  if (current?.active === choice.active && current.reason === choice.reason) return;
  current = choice;
  onChoice?.(choice);
}

/**
 * onnxruntime's error, shortened for a log line: its source location and failed check dropped, so that
 * `/onnxruntime_src/…/webgpu_context.cc:136 … was false. Failed to get a WebGPU adapter: No supported adapters`
 * reads `Failed to get a WebGPU adapter: No supported adapters`.
 */
export function providerFailureReason(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  const reason = (message.split(' was false. ').at(-1) ?? message)
    .replace(/^\S*onnxruntime_src\S*:\d+ /, '')
    .replace(/^\[ONNXRuntimeError\] : \d+ : \w+ : /, '')
    .trim();
  return reason === '' ? message : reason;
}

/**
 * Creates a session with the requested provider (`create` is given onnxruntime's `executionProviders`), or on cpu
 * when that fails and cpu does not. When cpu fails too the model is at fault: its cpu error is thrown and no
 * fallback recorded.
 */
export async function createWithProvider<S>(
  create: (executionProviders: readonly ExecutionProviderName[]) => Promise<S>,
): Promise<{ readonly session: S; readonly provider: ExecutionProviderName }> {
  const wanted = current?.reason === undefined ? requested : 'cpu';
  if (wanted === 'cpu') {
    const session = await create(['cpu']);
    settle(current ?? { requested, active: 'cpu' });
    return { session, provider: 'cpu' };
  }
  let failure: unknown;
  try {
    const session = await create([wanted]);
    settle({ requested, active: wanted });
    return { session, provider: wanted };
  } catch (error) {
    failure = error;
  }
  const session = await create(['cpu']);
  settle({ requested, active: 'cpu', reason: providerFailureReason(failure) });
  return { session, provider: 'cpu' };
}

import { appendFileSync, existsSync, mkdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import { defineNode } from '../contract/node-definition.js';
import type { NodeContext } from '../contract/node-context.js';

/**
 * A node for tests only, registered when the server runs with INKGRAPH_TEST_GATES set to a folder: it holds its job
 * until the test releases it, so a test can act on a job that is certainly still running (interrupt it, kill the
 * server, queue behind it) without relying on a job being "long enough".
 *
 * Protocol, in the gates folder: on reaching the gate the node appends a line (the prompt id) to `<name>.held`
 * and reports progress 0/1 (again every `repeat_progress_ms` if set); it passes once `<name>.open` exists (made by
 * the test before or after), reporting 1/1.
 * The folder lives outside the server's data, so a release survives a restart and a re-run passes straight through.
 */

/** The environment variable that enables test nodes and names the gates folder. */
export const TEST_GATES_ENV = 'INKGRAPH_TEST_GATES';

declare module '../contract/socket-types.js' {
  interface SocketTypes {
    /** Any value: ComfyUI's wildcard type, which links to and from every socket. */
    '*': unknown;
  }
}

/** How often a held gate reads the interrupt flag: its progress points while it waits. */
const INTERRUPT_CHECK_MS = 10;

/** Gate names become file names: keep them to one plain path segment. */
const GATE_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * Resolves once `<folder>/<name>.open` exists; rejects when the run is interrupted while waiting. With `repeatMs`,
 * the held progress is reported again at that interval.
 */
function waitForRelease(folder: string, name: string, repeatMs: number, ctx: NodeContext): Promise<void> {
  const released = join(folder, `${name}.open`);
  return new Promise<void>((resolve, reject) => {
    const watcher = watch(folder, () => {
      if (existsSync(released)) settle();
    });
    const guarded = (step: () => void) => () => {
      try {
        step();
      } catch (error) {
        // The engine tells an interrupt by its error's class: pass it on as it is.
        settle(error instanceof Error ? error : new Error('TestGate: a progress point failed'));
      }
    };
    const interruptCheck = setInterval(
      guarded(() => ctx.throwIfInterrupted()),
      INTERRUPT_CHECK_MS,
    );
    const repeat =
      repeatMs > 0
        ? setInterval(
            guarded(() => ctx.progress({ value: 0, max: 1 })),
            repeatMs,
          )
        : undefined;
    function settle(error?: Error): void {
      watcher.close();
      clearInterval(interruptCheck);
      clearInterval(repeat);
      if (error === undefined) resolve();
      else reject(error);
    }
    // Checked after the watcher is set, so a release made in between is not missed.
    if (existsSync(released)) settle();
  });
}

export const TestGate = defineNode({
  classType: 'TestGate',
  displayName: 'Test Gate',
  category: 'testing',
  description: `Tests only (enabled by ${TEST_GATES_ENV}): holds the job until the file <name>.open appears in the gates folder, then passes its value on.`,
  inputs: {
    value: { kind: 'SOCKET', type: '*' },
    name: { kind: 'STRING', default: 'gate' },
    /** For clients that start listening only after the job has started (some npm ComfyUI clients). */
    repeat_progress_ms: { kind: 'INT', default: 0, min: 0, max: 10_000, optional: true },
  },
  outputs: [{ type: '*', name: 'value' }],
  validate: ({ name }) =>
    name === undefined || GATE_NAME.test(name) ? undefined : 'a gate name is 1–100 letters, digits, "_" or "-"',
  run: async ({ value, name, repeat_progress_ms: repeatMs = 0 }, ctx) => {
    const folder = process.env[TEST_GATES_ENV];
    if (!folder) throw new Error(`TestGate needs ${TEST_GATES_ENV} to name its folder`);
    mkdirSync(folder, { recursive: true });
    appendFileSync(join(folder, `${name}.held`), `${ctx.promptId}\n`);
    ctx.progress({ value: 0, max: 1 });
    await waitForRelease(folder, name, repeatMs, ctx);
    ctx.progress({ value: 1, max: 1 });
    return { outputs: [value] };
  },
});

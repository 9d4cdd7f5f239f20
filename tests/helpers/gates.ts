import { mkdirSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_GATES_ENV } from '../../nodes/testing/test-gate.js';
import type { ApiPrompt } from '../../shared/workflow.js';

type Link = [string, number];

/**
 * The test side of nodes/testing/test-gate.ts: a folder of gates, gate nodes to put in a prompt, a wait for a job to
 * reach a gate and its release. Servers see the folder through INKGRAPH_TEST_GATES (`env` for spawned processes,
 * `enableInProcess` for servers started in the test's own process).
 */
export class TestGates {
  readonly folder: string;

  constructor(root: string) {
    this.folder = join(root, 'gates');
    mkdirSync(this.folder, { recursive: true });
  }

  /** The environment a spawned `inkgraph serve` needs for its TestGate nodes. */
  get env(): Record<string, string> {
    return { [TEST_GATES_ENV]: this.folder };
  }

  /** Enables TestGate for servers (and their engine workers) started from now on in this process. */
  enableInProcess(): this {
    process.env[TEST_GATES_ENV] = this.folder;
    return this;
  }

  /**
   * A TestGate node named `name` passing `value` (a link) on. `repeatProgressMs` reports the held progress again at
   * that interval, for clients that start listening only after the job has started.
   */
  node(name: string, value: Link, repeatProgressMs = 0): ApiPrompt[string] {
    return {
      class_type: 'TestGate',
      inputs: { value, name, ...(repeatProgressMs > 0 ? { repeat_progress_ms: repeatProgressMs } : {}) },
    };
  }

  /** The prompt ids that have reached gate `name`, in order (one per time a job reached it). */
  arrivals(name: string): string[] {
    try {
      return readFileSync(join(this.folder, `${name}.held`), 'utf8')
        .split('\n')
        .filter(Boolean);
    } catch {
      return [];
    }
  }

  /** Resolves once jobs have reached gate `name` `times` times in all (across servers sharing the folder). */
  async held(name: string, times = 1, timeoutMs = 60_000): Promise<string[]> {
    const watcher = watch(this.folder);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`gate ${name} was reached ${this.arrivals(name).length} of ${times} times`)),
          timeoutMs,
        );
        const check = (): void => {
          if (this.arrivals(name).length < times) return;
          clearTimeout(timer);
          resolve();
        };
        watcher.on('change', check);
        // After the watcher is set, so an arrival in between is not missed.
        check();
      });
    } finally {
      watcher.close();
    }
    return this.arrivals(name);
  }

  /** Opens every gate a job has reached: what a test that failed mid-run left waiting. */
  releaseReached(): void {
    for (const file of readdirSync(this.folder))
      if (file.endsWith('.held')) this.release(file.slice(0, -'.held'.length));
  }

  /** Lets every job at gate `name` pass, now and later (until the folder goes). */
  release(name: string): void {
    writeFileSync(join(this.folder, `${name}.open`), '');
  }
}

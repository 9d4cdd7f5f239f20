import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { ProcessOutput } from './process-output.js';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'inkgraph.js');

/** `inkgraph worker` as its own OS process, so a test can kill it for real. */
export class WorkerProcess {
  private readonly output: ProcessOutput;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly id: string,
  ) {
    this.output = new ProcessOutput(`worker ${id}`);
    child.stdout?.on('data', this.output.append);
    child.stderr?.on('data', this.output.append);
    this.exited = new Promise((resolveExit) => child.once('exit', () => resolveExit()));
  }

  /** Starts a worker and resolves once it takes jobs. */
  static async start(
    id: string,
    args: readonly string[],
    env: Readonly<Record<string, string>> = {},
  ): Promise<WorkerProcess> {
    const child = spawn(process.execPath, [BIN, 'worker', '--id', id, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, INKGRAPH_FROM_SOURCE: '1', ...env },
    });
    const worker = new WorkerProcess(child, id);
    await worker.waitForOutput(/taking jobs from/, 90_000);
    return worker;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get log(): string {
    return this.output.text;
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    await this.output.waitFor(pattern, timeoutMs);
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    this.child.kill(signal);
    await this.exited;
  }
}

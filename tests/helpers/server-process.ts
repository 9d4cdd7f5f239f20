import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { ProcessOutput } from './process-output.js';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'inkgraph.js');

export interface ServerFolders {
  readonly dataDir: string;
  readonly inputDir: string;
  readonly outputDir: string;
  readonly modelsDir: string;
}

/** `inkgraph serve` as its own OS process (so it can be killed for real), on a free loopback port. */
export class ServerProcess {
  private readonly output: ProcessOutput;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    initialOutput: string,
  ) {
    this.output = new ProcessOutput('the server', initialOutput);
    child.stdout?.on('data', this.output.append);
    child.stderr?.on('data', this.output.append);
    this.exited = new Promise((resolveExit) => {
      if (child.exitCode !== null || child.signalCode !== null)
        resolveExit({ code: child.exitCode, signal: child.signalCode });
      else child.once('exit', (code, signal) => resolveExit({ code, signal }));
    });
  }

  /** `env` is added to the test's own environment (e.g. INKGRAPH_TEST_GATES for TestGate nodes). */
  static async start(
    folders: ServerFolders,
    extraArgs: readonly string[] = [],
    env: Readonly<Record<string, string>> = {},
  ): Promise<ServerProcess> {
    const args = [
      BIN,
      'serve',
      '--port',
      '0',
      '--data',
      folders.dataDir,
      '--input',
      folders.inputDir,
      '--output',
      folders.outputDir,
      '--models',
      folders.modelsDir,
      ...extraArgs,
    ];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, INKGRAPH_AUTH_TOKEN: '', ...env },
    });
    let seen = '';
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start in 60 s:\n${seen}`)), 60_000);
      const onData = (chunk: Buffer): void => {
        seen += chunk.toString();
        const match = /serving on (http:\/\/[^\s]+)/.exec(seen);
        if (match) {
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          child.stderr?.off('data', onData);
          resolveUrl(match[1]!);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited with ${code} before it listened:\n${seen}`));
      });
    });
    return new ServerProcess(child, url, seen);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get log(): string {
    return this.output.text;
  }

  /** Resolves once the process's output (stdout and stderr) matches `pattern`. */
  async waitForOutput(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    await this.output.waitFor(pattern, timeoutMs);
  }

  /** Sends `signal` and waits for the process to end. */
  async stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill(signal);
    return this.exited;
  }

  /** Waits for the process to end by itself. */
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exited;
  }
}

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { HistoryEntry } from '../../shared/protocol.js';
import { textToImage } from './diffusion.js';
import type { TestGates } from './gates.js';
import { ServerProcess, type ServerFolders } from './server-process.js';
import { getJson, postJson, TestSocket } from './server.js';

/** The `inkgraph serve` processes and sockets of a test file: `stopAll` (after each test) kills and closes them. */
export class ProcessFleet {
  private readonly servers: ServerProcess[] = [];
  private readonly sockets: TestSocket[] = [];
  private made = 0;

  /** `gates`: the TestGate folder every server of the fleet sees. */
  constructor(private readonly gates?: TestGates) {}

  /** Fresh data and output folders under `env.root`, with its shared models and inputs. */
  folders(env: { readonly root: string; readonly inputDir: string; readonly modelsDir: string }): ServerFolders {
    this.made += 1;
    return {
      dataDir: join(env.root, `data-${this.made}`),
      inputDir: env.inputDir,
      outputDir: join(env.root, `output-${this.made}`),
      modelsDir: env.modelsDir,
    };
  }

  async start(folders: ServerFolders, extraArgs: readonly string[] = []): Promise<ServerProcess> {
    const server = await ServerProcess.start(folders, extraArgs, this.gates?.env);
    this.servers.push(server);
    return server;
  }

  async listen(server: ServerProcess, clientId: string): Promise<TestSocket> {
    const socket = await TestSocket.open(server.url, clientId);
    this.sockets.push(socket);
    return socket;
  }

  async stopAll(): Promise<void> {
    for (const socket of this.sockets.splice(0)) socket.close();
    for (const server of this.servers.splice(0)) await server.stop('SIGKILL');
  }
}

export function job(name: string, steps: number, seed: number, clientId?: string): Record<string, unknown> {
  return {
    prompt: textToImage({ steps, seed, prefix: name }),
    ...(clientId ? { client_id: clientId } : {}),
  };
}

/** The id of the TestGate node in a `gatedJob`'s prompt. */
export const GATE_NODE = '10';

/**
 * A job that stays running until the test releases its gate (named `name`: `gates.held(name)`, then
 * `gates.release(name)`), held between its empty latent and its sampler; two steps once released.
 */
export function gatedJob(gates: TestGates, name: string, seed: number, clientId?: string): Record<string, unknown> {
  const prompt = textToImage({ steps: 2, seed, prefix: name });
  prompt[GATE_NODE] = gates.node(name, ['5', 0]);
  prompt['3']!.inputs.latent_image = [GATE_NODE, 0];
  return { prompt, ...(clientId ? { client_id: clientId } : {}) };
}

export async function queue(server: ServerProcess, body: Record<string, unknown>): Promise<string> {
  const response = await postJson(`${server.url}/prompt`, body);
  expect(response.status).toBe(200);
  return (response.json as { prompt_id: string }).prompt_id;
}

export async function history(server: ServerProcess): Promise<Record<string, HistoryEntry>> {
  return (await getJson(`${server.url}/history`)).json as Record<string, HistoryEntry>;
}

export async function queueIds(
  server: ServerProcess,
): Promise<{ running: string[]; pending: string[]; paused: boolean }> {
  const snapshot = (await getJson(`${server.url}/queue`)).json as {
    queue_running: [number, string][];
    queue_pending: [number, string][];
    paused: boolean;
  };
  return {
    running: snapshot.queue_running.map((item) => item[1]),
    pending: snapshot.queue_pending.map((item) => item[1]),
    paused: snapshot.paused,
  };
}

/**
 * Resolves once every id is in history: read again after each WebSocket message (the queue's `status` broadcasts
 * follow each job's history entry), so no fixed wait.
 */
export async function waitForHistory(
  server: ServerProcess,
  ids: readonly string[],
  timeoutMs = 120_000,
): Promise<Record<string, HistoryEntry>> {
  const watcher = await TestSocket.open(server.url, `history-${randomUUID()}`);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = watcher.received.length;
      const entries = await history(server);
      if (ids.every((id) => id in entries)) return entries;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `not in history after ${timeoutMs} ms: ${ids.filter((id) => !(id in entries)).join(', ')}\n${server.log}`,
        );
      await watcher.waitFor((received) => watcher.received.indexOf(received) >= seen, left).catch(() => undefined);
    }
  } finally {
    watcher.close();
  }
}

export function messageTypes(entry: HistoryEntry): string[] {
  return entry.status.messages.map(([type]) => type);
}

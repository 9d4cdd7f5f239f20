import { join } from 'node:path';
import { expect } from 'vitest';
import type { HistoryEntry } from '../../shared/protocol.js';
import { textToImage } from './diffusion.js';
import { ServerProcess, type ServerFolders } from './server-process.js';
import { getJson, postJson, TestSocket } from './server.js';

/** The `inkgraph serve` processes and sockets of a test file: `stopAll` (after each test) kills and closes them. */
export class ProcessFleet {
  private readonly servers: ServerProcess[] = [];
  private readonly sockets: TestSocket[] = [];
  private made = 0;

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
    const server = await ServerProcess.start(folders, extraArgs);
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

/**
 * A job that must still be running when the test acts on it, yet finish after a restart: 10,000 steps (the most a
 * KSampler takes) at 256×256 on the tiny fixture model, ~2–3.5 s here with a client receiving its previews. (6,000
 * steps at 64×64 took only 0.35–0.6 s once the sampler's per-step work shrank, and on a loaded CI machine the job
 * once ended between the test's signal and the server acting on it.)
 */
export const LONG = { steps: 10_000, size: 256 } as const;

export function job(
  name: string,
  steps: number,
  seed: number,
  clientId?: string,
  size?: number,
): Record<string, unknown> {
  return {
    prompt: textToImage({ steps, seed, prefix: name, ...(size ? { size } : {}) }),
    ...(clientId ? { client_id: clientId } : {}),
  };
}

export function longJob(name: string, seed: number, clientId: string): Record<string, unknown> {
  return job(name, LONG.steps, seed, clientId, LONG.size);
}

export async function queue(server: ServerProcess, body: Record<string, unknown>): Promise<string> {
  const response = await postJson(`${server.url}/prompt`, body);
  expect(response.status).toBe(200);
  return (response.json as { prompt_id: string }).prompt_id;
}

export async function waitForProgress(socket: TestSocket, promptId: string): Promise<void> {
  await socket.waitFor(
    (r) => r.kind === 'json' && r.message.type === 'progress' && r.message.data.prompt_id === promptId,
    60_000,
  );
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

/** Polls until every id is in history. */
export async function waitForHistory(
  server: ServerProcess,
  ids: readonly string[],
  timeoutMs = 120_000,
): Promise<Record<string, HistoryEntry>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entries = await history(server);
    if (ids.every((id) => id in entries)) return entries;
    if (Date.now() > deadline)
      throw new Error(
        `not in history after ${timeoutMs} ms: ${ids.filter((id) => !(id in entries)).join(', ')}\n${server.log}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function messageTypes(entry: HistoryEntry): string[] {
  return entry.status.messages.map(([type]) => type);
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer, type RunningServer, type StartServerOptions } from '../../server/app.js';
import { decodeFrame, type DecodedFrame } from '../../shared/preview-frame.js';
import { wsMessageSchema, type WsMessage } from '../../shared/protocol.js';
import { encodePng } from '../../media/png.js';
import { makeTestEnv } from './env.js';

export interface TestServer extends RunningServer {
  readonly dirs: ReturnType<typeof makeTestEnv>;
  stop(): Promise<void>;
}

/** A real server on a random loopback port, with its own folders and a test image in input/. */
export async function startTestServer(overrides: StartServerOptions = {}): Promise<TestServer> {
  const dirs = makeTestEnv('inkgraph-it-');
  writeFileSync(join(dirs.inputDir, 'test.png'), testPng(16, 12));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    inputDir: dirs.inputDir,
    outputDir: dirs.outputDir,
    tempDir: dirs.tempDir,
    modelsDir: dirs.modelsDir,
    workflowsDir: dirs.workflowsDir,
    dataDir: join(dirs.root, 'data'),
    clientDir: join(dirs.root, 'no-client'),
    log: () => {},
    // Tests that count previews must not depend on the machine's load; skipping late ones is unit-tested.
    previewMaxLagMs: Number.POSITIVE_INFINITY,
    ...overrides,
  });
  return {
    ...server,
    dirs,
    stop: async () => {
      await server.close();
      dirs.cleanup();
    },
  };
}

/** A small RGB gradient PNG. */
export function testPng(width: number, height: number): Buffer {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = Math.round((x / Math.max(1, width - 1)) * 255);
      data[i + 1] = Math.round((y / Math.max(1, height - 1)) * 255);
      data[i + 2] = 100;
    }
  }
  return encodePng({ width, height, channels: 3, data });
}

/** A WebSocket message's bytes as text (ws hands them over as a Buffer, a list of Buffers or an ArrayBuffer). */
export function rawText(data: WebSocket.RawData): string {
  return (
    data instanceof ArrayBuffer ? Buffer.from(data) : Array.isArray(data) ? Buffer.concat(data) : data
  ).toString();
}

export type Received = { kind: 'json'; message: WsMessage } | { kind: 'binary'; frame: DecodedFrame };

/** A real WebSocket client that keeps everything it receives, validated against the shared schemas. */
export class TestSocket {
  readonly received: Received[] = [];
  private waiters: (() => void)[] = [];
  readonly invalid: unknown[] = [];

  private constructor(
    readonly socket: WebSocket,
    readonly clientId: string,
  ) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        const bytes = data instanceof Buffer ? data : Buffer.concat(data as Buffer[]);
        const frame = decodeFrame(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        if (frame.ok) this.received.push({ kind: 'binary', frame: frame.value });
        else this.invalid.push(frame.reason);
      } else {
        const json: unknown = JSON.parse(rawText(data));
        const parsed = wsMessageSchema.safeParse(json);
        if (parsed.success) this.received.push({ kind: 'json', message: parsed.data });
        else this.invalid.push(json);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async open(
    baseUrl: string,
    clientId: string,
    options: { featureFlags?: Record<string, unknown>; headers?: Record<string, string>; query?: string } = {},
  ): Promise<TestSocket> {
    const url = `${baseUrl.replace('http', 'ws')}/ws?clientId=${encodeURIComponent(clientId)}${options.query ?? ''}`;
    const socket = new WebSocket(url, { headers: options.headers ?? {} });
    // Listen before 'open': the greeting can arrive in the same TCP chunk as the handshake.
    const client = new TestSocket(socket, clientId);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket refused with ${res.statusCode}`)));
    });
    if (options.featureFlags) socket.send(JSON.stringify({ type: 'feature_flags', data: options.featureFlags }));
    await client.waitFor((r) => r.kind === 'json' && r.message.type === 'status');
    return client;
  }

  messages(): WsMessage[] {
    return this.received.flatMap((r) => (r.kind === 'json' ? [r.message] : []));
  }

  async waitFor(predicate: (received: Received) => boolean, timeoutMs = 30_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(predicate);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`timed out; received: ${JSON.stringify(this.messages().map((m) => m.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for `executing {node: null}` of a prompt: the end of its run. */
  async waitForEnd(promptId: string): Promise<WsMessage[]> {
    await this.waitFor(
      (r) =>
        r.kind === 'json' &&
        r.message.type === 'executing' &&
        r.message.data.node === null &&
        r.message.data.prompt_id === promptId,
    );
    return this.messages().filter(
      (m) =>
        'data' in m &&
        typeof m.data === 'object' &&
        m.data !== null &&
        'prompt_id' in m.data &&
        m.data.prompt_id === promptId,
    );
  }

  close(): void {
    this.socket.close();
  }
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...headers },
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

export async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

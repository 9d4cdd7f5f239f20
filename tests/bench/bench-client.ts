/**
 * A benchmark's client, in its own thread as a real client is in its own process: it posts a prompt over HTTP
 * (node:http, keep-alive), listens on its WebSocket, and reports when the first preview frame and `executing null`
 * arrived. Sharing the server's event loop would charge the client's own work (building requests, parsing every
 * message) to the server, and hold each message until the server's turn of the loop ends.
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

export interface BenchClientData {
  readonly url: string;
  readonly clientId: string;
}

/** Times are absolute (performance.timeOrigin + performance.now()), comparable across threads. */
export type BenchClientReply =
  | { readonly type: 'ready' }
  | {
      readonly type: 'done';
      readonly promptId: string;
      readonly postedAt: number;
      readonly firstPreviewAt: number | undefined;
      readonly endedAt: number;
    }
  | { readonly type: 'failed'; readonly reason: string };

export interface BenchClientRequest {
  readonly type: 'run';
  /** The POST /prompt body. */
  readonly body: string;
}

const data = workerData as BenchClientData & { entry: string };
const port = parentPort;
if (!port) throw new Error('the bench client must run in a worker thread');
const now = (): number => performance.timeOrigin + performance.now();
const agent = new Agent({ keepAlive: true });

function postJson(url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          response.statusCode === 200
            ? resolve(text)
            : reject(new Error(`POST /prompt answered ${response.statusCode}: ${text}`)),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const socket = new WebSocket(`${data.url.replace('http', 'ws')}/ws?clientId=${data.clientId}`);
let firstPreviewAt: number | undefined;
const endedAt = new Map<string, number>();
const waiting = new Map<string, () => void>();
socket.on('message', (message, isBinary) => {
  if (isBinary) {
    firstPreviewAt ??= now();
    return;
  }
  const parsed = JSON.parse(
    (message instanceof ArrayBuffer
      ? Buffer.from(message)
      : Array.isArray(message)
        ? Buffer.concat(message)
        : message
    ).toString(),
  ) as { type: string; data: { node?: string | null; prompt_id?: string } };
  if (parsed.type === 'executing' && parsed.data.node === null && parsed.data.prompt_id) {
    endedAt.set(parsed.data.prompt_id, now());
    waiting.get(parsed.data.prompt_id)?.();
  }
});
socket.once('open', () => port.postMessage({ type: 'ready' } satisfies BenchClientReply));

port.on('message', (incoming: BenchClientRequest) => {
  void (async () => {
    try {
      firstPreviewAt = undefined;
      const postedAt = now();
      const { prompt_id: promptId } = JSON.parse(await postJson(`${data.url}/prompt`, incoming.body)) as {
        prompt_id: string;
      };
      if (!endedAt.has(promptId)) await new Promise<void>((resolve) => waiting.set(promptId, resolve));
      port.postMessage({
        type: 'done',
        promptId,
        postedAt,
        firstPreviewAt,
        endedAt: endedAt.get(promptId)!,
      } satisfies BenchClientReply);
    } catch (error) {
      port.postMessage({
        type: 'failed',
        reason: error instanceof Error ? error.message : String(error),
      } satisfies BenchClientReply);
    }
  })();
});

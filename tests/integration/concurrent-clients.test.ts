import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixtureModels, textToImage } from '../helpers/diffusion.js';
import { postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ previewMethod: 'latent2rgb' });
  copyFixtureModels(server.dirs.modelsDir);
});
afterAll(async () => server.stop());

const CLIENTS = 50;
const PROMPTS_PER_CLIENT = 2;
const STEPS = 2;

function promptIdOf(data: unknown): string | undefined {
  return typeof data === 'object' && data !== null && 'prompt_id' in data && typeof data.prompt_id === 'string'
    ? data.prompt_id
    : undefined;
}

describe('50 WebSocket clients queueing 100 prompts together', () => {
  it('each client receives only its own messages, previews and results, and every prompt finishes', async () => {
    const sockets = await Promise.all(
      Array.from({ length: CLIENTS }, (_, index) =>
        TestSocket.open(server.url, `crowd-${index}`, { featureFlags: { supports_preview_metadata: true } }),
      ),
    );
    // Every client posts its prompts at once; distinct seeds so no result comes from the cache.
    const owned = await Promise.all(
      sockets.map(async (socket, client) => {
        const responses = await Promise.all(
          Array.from({ length: PROMPTS_PER_CLIENT }, (_, n) =>
            postJson(`${server.url}/prompt`, {
              client_id: socket.clientId,
              prompt: textToImage({
                steps: STEPS,
                seed: 5000 + client * PROMPTS_PER_CLIENT + n,
                prefix: `crowd-${client}-${n}`,
              }),
            }),
          ),
        );
        for (const response of responses) expect(response.status).toBe(200);
        return responses.map((response) => (response.json as { prompt_id: string }).prompt_id);
      }),
    );
    expect(new Set(owned.flat()).size).toBe(CLIENTS * PROMPTS_PER_CLIENT);
    for (const [client, socket] of sockets.entries()) {
      for (const promptId of owned[client]!) await socket.waitForEnd(promptId);
    }

    for (const [client, socket] of sockets.entries()) {
      const mine = new Set(owned[client]);
      expect(socket.invalid).toEqual([]);
      const foreign = socket.messages().filter((message) => {
        const id = 'data' in message ? promptIdOf(message.data) : undefined;
        return id !== undefined && !mine.has(id);
      });
      expect(foreign, `client ${client} got messages of other prompts`).toEqual([]);
      const previews = socket.received.flatMap((r) =>
        r.kind === 'binary' && r.frame.event === 4 ? [r.frame.metadata.prompt_id] : [],
      );
      expect(previews.every((id) => mine.has(id))).toBe(true);
      expect(previews.length).toBe(STEPS * PROMPTS_PER_CLIENT);
      expect(socket.received.filter((r) => r.kind === 'binary' && r.frame.event !== 4)).toEqual([]);
      const saved = socket
        .messages()
        .flatMap((message) =>
          message.type === 'executed' && message.data.output
            ? (message.data.output.images ?? []).map((image) => image.filename)
            : [],
        );
      expect(saved.sort()).toEqual([`crowd-${client}-0_00001_.png`, `crowd-${client}-1_00001_.png`]);
    }
    const history = (await (await fetch(`${server.url}/history`)).json()) as Record<
      string,
      { status: { status_str: string } }
    >;
    for (const id of owned.flat()) expect(history[id]?.status.status_str).toBe('success');
    for (const socket of sockets) socket.close();
  });
});

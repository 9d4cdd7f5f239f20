import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { decodeImage } from '../../media/decode-image.js';
import type { RasterU8 } from '../../media/raster.js';
import type { HistoryEntry } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { getJson, postJson, type TestServer, type TestSocket } from './server.js';

/**
 * Queues a prompt as `socket`'s client, waits for its end, expects no node refused at validation (ComfyUI runs the
 * valid outputs of a partly invalid prompt) and no execution error, and returns its history.
 */
export async function runToHistory(server: TestServer, socket: TestSocket, prompt: ApiPrompt): Promise<HistoryEntry> {
  const response = await postJson(`${server.url}/prompt`, { prompt, client_id: socket.clientId });
  expect(response.status, JSON.stringify(response.json)).toBe(200);
  const nodeErrors = (response.json as { node_errors?: Record<string, unknown> }).node_errors ?? {};
  expect(nodeErrors, JSON.stringify(nodeErrors)).toEqual({});
  const promptId = (response.json as { prompt_id: string }).prompt_id;
  const messages = await socket.waitForEnd(promptId);
  const error = messages.find((m) => m.type === 'execution_error');
  expect(error, JSON.stringify(error)).toBeUndefined();
  return ((await getJson(`${server.url}/history/${promptId}`)).json as Record<string, HistoryEntry>)[promptId]!;
}

/** The images a node of a finished run saved in the output folder, decoded. */
export function savedImages(server: TestServer, entry: HistoryEntry, node: string): RasterU8[] {
  return (entry.outputs[node]?.images ?? []).map((image) => {
    const decoded = decodeImage(readFileSync(join(server.dirs.outputDir, image.subfolder, image.filename)));
    if (!decoded.ok) throw new Error(decoded.reason);
    return decoded.value.raster;
  });
}

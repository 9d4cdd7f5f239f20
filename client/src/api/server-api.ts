import { modelSizesSchema, type ModelSizes } from '../../../shared/model-sizes.js';
import { objectInfoSchema, type ObjectInfo } from '../../../shared/node-spec.js';
import {
  historyEntrySchema,
  queueItemSchema,
  type HistoryEntry,
  type NodeError,
  type PromptError,
  type QueueItem,
} from '../../../shared/protocol.js';
import type { ApiPrompt } from '../../../shared/workflow.js';
import { z } from 'zod';
import { modelVocabulariesSchema, type ModelVocabularies } from '../../../shared/model-vocabulary.js';
import { err, ok, type Result } from '../../../shared/result.js';

/** The server's HTTP API, typed by the shared schemas. Every call returns a value or a reason. */

/** Why a call failed: a sentence to show, and ComfyUI's structured errors when the server sent them. */
export interface ApiFailure {
  readonly message: string;
  readonly nodeErrors?: Record<string, NodeError>;
  readonly error?: PromptError;
}

export type ApiResult<T> = Result<T, ApiFailure>;

const TOKEN_KEY = 'inkgraph.token';

/** A token given once as ?token= is kept for the tab's later requests. */
export function authToken(): string | undefined {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) sessionStorage.setItem(TOKEN_KEY, fromUrl);
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

async function request<T>(path: string, init: RequestInit, parse: (json: unknown) => T): Promise<ApiResult<T>> {
  const token = authToken();
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      ...init,
      headers: { ...(init.headers ?? {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    });
  } catch (error) {
    return err({
      message: `the server cannot be reached (${error instanceof Error ? error.message : String(error)})`,
    });
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    return err({ message: `the server answered ${response.status} with something that is not JSON` });
  }
  if (!response.ok) {
    const body = (json ?? {}) as {
      error?: PromptError & { message?: string };
      node_errors?: Record<string, NodeError>;
    };
    return err({
      message: body.error?.message ?? `HTTP ${response.status}`,
      ...(body.node_errors ? { nodeErrors: body.node_errors } : {}),
      ...(body.error ? { error: body.error } : {}),
    });
  }
  try {
    return ok(parse(json));
  } catch (error) {
    return err({
      message: `unexpected answer from ${path}: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'Content-Type': 'application/json' },
});

export const api = {
  objectInfo: () => request<ObjectInfo>('/object_info', {}, (value) => objectInfoSchema.parse(value)),
  vocabularies: () => request<ModelVocabularies>('/vocabularies', {}, (value) => modelVocabulariesSchema.parse(value)),
  modelSizes: () => request<ModelSizes>('/model-sizes', {}, (value) => modelSizesSchema.parse(value)),
  queuePrompt: (prompt: ApiPrompt, clientId: string, extraPngInfo: Record<string, unknown>) =>
    request<{ prompt_id: string; number: number }>(
      '/prompt',
      json({ prompt, client_id: clientId, extra_data: { extra_pnginfo: extraPngInfo } }),
      (value) => z.object({ prompt_id: z.string(), number: z.number() }).parse(value),
    ),
  queue: () =>
    request<{ running: QueueItem[]; pending: QueueItem[]; paused: boolean }>('/queue', {}, (value) => {
      const parsed = z
        .object({
          queue_running: z.array(queueItemSchema),
          queue_pending: z.array(queueItemSchema),
          paused: z.boolean().optional(),
        })
        .parse(value);
      return {
        running: parsed.queue_running,
        pending: [...parsed.queue_pending].sort((a, b) => a[0] - b[0]),
        paused: parsed.paused ?? false,
      };
    }),
  deleteFromQueue: (promptIds: string[]) => request('/queue', json({ delete: promptIds }), () => undefined),
  clearQueue: () => request('/queue', json({ clear: true }), () => undefined),
  setQueuePaused: (paused: boolean) => request(paused ? '/queue/pause' : '/queue/resume', json({}), () => undefined),
  interrupt: (promptId?: string) =>
    request('/interrupt', json(promptId ? { prompt_id: promptId } : {}), () => undefined),
  history: (maxItems = 100) =>
    request<Record<string, HistoryEntry>>(`/history?max_items=${maxItems}`, {}, (value) =>
      z.record(z.string(), historyEntrySchema).parse(value),
    ),
  clearHistory: () => request('/history', json({ clear: true }), () => undefined),
  workflows: () =>
    request('/workflows', {}, (value) =>
      z.array(z.object({ name: z.string(), size: z.number(), modified: z.number() })).parse(value),
    ),
  loadWorkflow: (name: string) => request<unknown>(`/workflows/${encodeURIComponent(name)}`, {}, (value) => value),
  saveWorkflow: (name: string, document: unknown) =>
    request(
      `/workflows/${encodeURIComponent(name)}`,
      { method: 'PUT', body: JSON.stringify(document), headers: { 'Content-Type': 'application/json' } },
      () => undefined,
    ),
  deleteWorkflow: (name: string) =>
    request(`/workflows/${encodeURIComponent(name)}`, { method: 'DELETE' }, () => undefined),
  examples: () => request('/examples', {}, (value) => z.array(z.object({ name: z.string() })).parse(value)),
  loadExample: (name: string) => request<unknown>(`/examples/${encodeURIComponent(name)}`, {}, (value) => value),
  uploadImage: (file: File) => {
    const form = new FormData();
    form.append('image', file, file.name);
    return request('/upload/image', { method: 'POST', body: form }, (value) =>
      z.object({ name: z.string(), subfolder: z.string(), type: z.string() }).parse(value),
    );
  },
};

export function viewUrl(image: { filename: string; subfolder: string; type: string }): string {
  const token = authToken();
  const params = new URLSearchParams({
    filename: image.filename,
    subfolder: image.subfolder,
    type: image.type,
    ...(token ? { token } : {}),
  });
  return `/api/view?${params.toString()}`;
}

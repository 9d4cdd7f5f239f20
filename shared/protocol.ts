import { z } from 'zod';
import { apiPromptSchema } from './workflow.js';

/** The ComfyUI WebSocket message catalogue, as one discriminated union used by server and client. */

const nodeId = z.string();
const promptId = z.string();
const timestamp = z.number();

export const uiImageRefSchema = z.object({
  filename: z.string(),
  subfolder: z.string(),
  type: z.enum(['output', 'temp', 'input']),
});
export type UiImageRef = z.infer<typeof uiImageRefSchema>;

/** What a node shows in the UI after it runs: images, text, labels (Inkgraph extension), … */
export const uiOutputSchema = z
  .object({
    images: z.array(uiImageRefSchema).optional(),
    text: z.array(z.string()).optional(),
  })
  .catchall(z.array(z.unknown()));
export type UiOutput = z.infer<typeof uiOutputSchema>;

export const progressNodeStateSchema = z.object({
  value: z.number(),
  max: z.number(),
  state: z.enum(['pending', 'running', 'finished', 'error']),
  node_id: nodeId,
  prompt_id: promptId,
  display_node_id: nodeId,
  parent_node_id: nodeId.nullable(),
  real_node_id: nodeId,
});
export type ProgressNodeState = z.infer<typeof progressNodeStateSchema>;

export const statusMessageSchema = z.object({
  type: z.literal('status'),
  data: z.object({
    status: z.object({ exec_info: z.object({ queue_remaining: z.number().int() }) }),
    sid: z.string().optional(),
    /** Inkgraph extension: whether the queue is paused. */
    paused: z.boolean().optional(),
  }),
});

export const featureFlagsSchema = z.record(z.string(), z.unknown());

export const wsMessageSchema = z.discriminatedUnion('type', [
  statusMessageSchema,
  z.object({ type: z.literal('feature_flags'), data: featureFlagsSchema }),
  z.object({ type: z.literal('execution_start'), data: z.object({ prompt_id: promptId, timestamp }) }),
  z.object({
    type: z.literal('execution_cached'),
    data: z.object({ nodes: z.array(nodeId), prompt_id: promptId, timestamp }),
  }),
  z.object({
    type: z.literal('executing'),
    data: z.object({ node: nodeId.nullable(), display_node: nodeId.optional(), prompt_id: promptId.optional() }),
  }),
  z.object({
    type: z.literal('progress'),
    data: z.object({ value: z.number(), max: z.number(), prompt_id: promptId, node: nodeId }),
  }),
  z.object({
    type: z.literal('progress_state'),
    data: z.object({ prompt_id: promptId, nodes: z.record(nodeId, progressNodeStateSchema) }),
  }),
  z.object({
    type: z.literal('executed'),
    data: z.object({ node: nodeId, display_node: nodeId, output: uiOutputSchema.nullable(), prompt_id: promptId }),
  }),
  z.object({ type: z.literal('execution_success'), data: z.object({ prompt_id: promptId, timestamp }) }),
  z.object({
    type: z.literal('execution_error'),
    data: z.object({
      prompt_id: promptId,
      node_id: nodeId,
      node_type: z.string(),
      executed: z.array(nodeId),
      exception_message: z.string(),
      exception_type: z.string(),
      traceback: z.array(z.string()),
      current_inputs: z.record(z.string(), z.array(z.unknown())),
      current_outputs: z.array(nodeId),
      timestamp,
    }),
  }),
  z.object({
    type: z.literal('execution_interrupted'),
    data: z.object({
      prompt_id: promptId,
      node_id: nodeId,
      node_type: z.string(),
      executed: z.array(nodeId),
      timestamp,
    }),
  }),
  z.object({
    type: z.literal('logs'),
    data: z.object({
      entries: z.array(z.object({ t: z.string(), m: z.string() })),
      size: z.object({ cols: z.number(), rows: z.number() }),
    }),
  }),
]);
export type WsMessage = z.infer<typeof wsMessageSchema>;
export type WsMessageType = WsMessage['type'];
export type WsMessageOf<T extends WsMessageType> = Extract<WsMessage, { type: T }>;
export type WsMessageData<T extends WsMessageType> = WsMessageOf<T>['data'];

/** The first frame a client may send. */
export const clientFeatureFlagsMessageSchema = z.object({ type: z.literal('feature_flags'), data: featureFlagsSchema });

// ---- HTTP shapes -------------------------------------------------------------------------------

export const extraDataSchema = z
  .object({
    client_id: z.string().optional(),
    extra_pnginfo: z.record(z.string(), z.unknown()).optional(),
    preview_method: z.string().optional(),
  })
  .passthrough();
export type ExtraData = z.infer<typeof extraDataSchema>;

export const postPromptBodySchema = z.object({
  prompt: apiPromptSchema,
  client_id: z.string().optional(),
  prompt_id: z.string().min(1).max(200).optional(),
  number: z.number().finite().optional(),
  front: z.boolean().optional(),
  extra_data: extraDataSchema.optional(),
  partial_execution_targets: z.array(z.string()).optional(),
});
export type PostPromptBody = z.infer<typeof postPromptBodySchema>;

/** ComfyUI's error shape: `{type, message, details, extra_info}`. */
export const promptErrorSchema = z.object({
  type: z.string(),
  message: z.string(),
  details: z.string(),
  extra_info: z.record(z.string(), z.unknown()),
});
export type PromptError = z.infer<typeof promptErrorSchema>;

export const nodeErrorSchema = z.object({
  errors: z.array(promptErrorSchema),
  dependent_outputs: z.array(z.string()),
  class_type: z.string(),
});
export type NodeError = z.infer<typeof nodeErrorSchema>;

/** `[number, prompt_id, prompt, extra_data, outputs_to_execute]`. */
export const queueItemSchema = z.tuple([z.number(), z.string(), apiPromptSchema, extraDataSchema, z.array(z.string())]);
export type QueueItem = z.infer<typeof queueItemSchema>;

export const historyStatusMessageSchema = z.tuple([z.string(), z.record(z.string(), z.unknown())]);

export const historyEntrySchema = z.object({
  prompt: queueItemSchema,
  outputs: z.record(z.string(), uiOutputSchema),
  status: z.object({
    status_str: z.enum(['success', 'error']),
    completed: z.boolean(),
    messages: z.array(historyStatusMessageSchema),
  }),
  meta: z.record(
    z.string(),
    z.object({
      node_id: z.string(),
      display_node: z.string(),
      parent_node: z.string().nullable(),
      real_node_id: z.string(),
    }),
  ),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const errorBodySchema = z.object({
  error: z.object({ type: z.string(), message: z.string(), details: z.string().optional() }),
  node_errors: z.record(z.string(), nodeErrorSchema).optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

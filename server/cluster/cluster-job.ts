import { z } from 'zod';
import { previewMethods } from '../../nodes/contract/node-context.js';
import { apiPromptSchema } from '../../shared/workflow.js';
import type { ExecuteJob } from '../engine/engine-events.js';

/** A BullMQ job's data: the engine's request, and the image files the prompt reads (they live on the coordinator). */
export const clusterJobSchema = z.object({
  request: z.object({
    promptId: z.string(),
    prompt: apiPromptSchema,
    outputs: z.array(z.string()),
    extraPngInfo: z.record(z.string(), z.unknown()).optional(),
    previewMethod: z.enum(previewMethods),
    previewEvery: z.number(),
  }),
  files: z.array(z.object({ folder: z.enum(['input', 'output', 'temp']), name: z.string(), base64: z.string() })),
  /** Which hand-over this is: a job of the same id BullMQ kept from an earlier one is told apart by it. */
  dispatchId: z.string(),
});
export type ClusterJob = z.infer<typeof clusterJobSchema>;

/** The job's data as JSON keeps it (an absent `extraPngInfo` stays absent). */
export function clusterJobData(request: ExecuteJob, files: ClusterJob['files'], dispatchId: string): ClusterJob {
  const { extraPngInfo, ...rest } = request;
  return {
    request: { ...rest, outputs: [...rest.outputs], ...(extraPngInfo ? { extraPngInfo } : {}) },
    files,
    dispatchId,
  };
}

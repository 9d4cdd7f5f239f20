import { createHash } from 'node:crypto';
import { z } from 'zod';

/** What a worker tells the cluster about itself, every heartbeat (stored as JSON at `workerKey(id)`). */
export const workerAdvertSchema = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  /** Its queue's group: workers with the same options and provider share one (see `workerGroup`). */
  group: z.string(),
  /** The ONNX Runtime execution provider its sessions ask for. */
  executionProvider: z.string(),
  concurrency: z.number().int().positive(),
  /** The model combos' values it can load, keyed `Class.input` (its models folder). */
  options: z.record(z.string(), z.array(z.string())),
  /** `stopping`: it takes no more jobs (shutting down, or it lost Redis). */
  state: z.enum(['idle', 'busy', 'stopping']),
  jobs: z.array(z.object({ promptId: z.string(), node: z.string().nullable(), startedAt: z.number() })),
  heartbeatAt: z.number(),
  startedAt: z.number(),
});
export type WorkerAdvert = z.infer<typeof workerAdvertSchema>;

/** Reads an advert from Redis; undefined for anything else (an older version's, a damaged value). */
export function parseWorkerAdvert(text: string | null): WorkerAdvert | undefined {
  if (text === null) return undefined;
  try {
    const parsed = workerAdvertSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Workers that can run the same jobs share a queue: the group is a digest of their models and provider. */
export function workerGroup(options: WorkerAdvert['options'], executionProvider: string): string {
  const canonical = Object.keys(options)
    .sort()
    .map((key) => [key, [...(options[key] ?? [])].sort()]);
  return createHash('sha1')
    .update(JSON.stringify([executionProvider, canonical]))
    .digest('hex')
    .slice(0, 12);
}

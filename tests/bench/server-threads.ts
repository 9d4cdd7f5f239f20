/**
 * What `/system_stats` says about the server's onnxruntime threads for one model: a line per session (its part,
 * threads, spinning, how they were chosen, and the candidates' times when they were timed).
 */
import { z } from 'zod';
import { describeSessionThreads } from '../../server/engine/engine-events.js';

const threadsSchema = z.object({
  threads: z.object({
    override: z.number().nullable(),
    sessions: z.array(
      z.object({
        path: z.string(),
        threads: z.number(),
        spinning: z.boolean(),
        how: z.string(),
        shape: z.string().optional(),
        timings: z.array(z.object({ threads: z.number(), spinning: z.boolean(), ms: z.number() })),
      }),
    ),
  }),
});

/** `…/bench-sd/unet/model.onnx` → `bench-sd/unet`. */
const partOf = (path: string): string => path.split(/[\\/]/).slice(-3, -1).join('/');

export async function serverThreads(url: string, model: string): Promise<string[]> {
  const stats = threadsSchema.parse(await (await fetch(`${url}/system_stats`)).json());
  const lines = stats.threads.sessions
    .filter((session) => partOf(session.path).startsWith(`${model}/`))
    .map((session) => describeSessionThreads(session, partOf(session.path)));
  return [`--threads: ${stats.threads.override ?? 'not given'}`, ...lines];
}

/**
 * What `/system_stats` says about the server's onnxruntime threads for one model: a line per session (its part,
 * threads, spinning, how they were chosen, and the candidates' times when they were timed).
 */
import { z } from 'zod';

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
    .map((session) => {
      const timings = session.timings
        .map((t) => `${t.threads}${t.spinning ? ' spinning' : ''} ${t.ms.toFixed(2)} ms`)
        .join(', ');
      return `${partOf(session.path)}: ${session.threads} thread${session.threads === 1 ? '' : 's'}${session.spinning ? ', spinning' : ''} (${session.how}${session.shape ? ` on ${session.shape}` : ''}${timings ? `: ${timings}` : ''})`;
    });
  return [`--threads: ${stats.threads.override ?? 'not given'}`, ...lines];
}

import { z } from 'zod';
import { uiOutputSchema } from '../../shared/protocol.js';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * What a worker writes to a run's stream, in order, and the coordinator turns back into the engine's events. Every
 * entry names its attempt: after a lost worker the job starts again on another, and the coordinator follows only
 * the newest attempt. Bytes (an encoded step preview, an image file) travel beside the JSON in the entry's `b` field.
 */
const attempt = z.number().int().positive();

const timingSchema = z.object({
  nodeRunMs: z.number(),
  sessionRunMs: z.number(),
  sessionRuns: z.number(),
  totalMs: z.number(),
  nodesRun: z.number(),
});
const outcome = {
  outputs: z.record(z.string(), uiOutputSchema),
  executed: z.array(z.string()),
  timing: timingSchema,
};
export const executionResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('success'), ...outcome }),
  z.object({
    status: z.literal('error'),
    ...outcome,
    failure: z.object({
      node: z.string(),
      nodeType: z.string(),
      message: z.string(),
      exceptionType: z.string(),
      traceback: z.array(z.string()),
      currentInputs: z.record(z.string(), z.array(z.unknown())),
    }),
  }),
  z.object({
    status: z.literal('interrupted'),
    ...outcome,
    interruptedAt: z.object({ node: z.string(), nodeType: z.string() }),
  }),
]);

export const relayEntrySchema = z.discriminatedUnion('type', [
  /** The coordinator handed the job to a group's queue. */
  z.object({ type: z.literal('dispatched'), group: z.string(), at: z.number() }),
  /** A worker took the job (attempt 2 and on: an earlier worker was lost under it). */
  z.object({
    type: z.literal('started'),
    attempt,
    worker: z.string(),
    /** Which of the worker's engines (each numbers its images in its own folders). */
    engine: z.number().int().nonnegative(),
    at: z.number(),
  }),
  z.object({ type: z.literal('cached'), attempt, nodes: z.array(z.string()) }),
  z.object({ type: z.literal('node_start'), attempt, node: z.string() }),
  z.object({
    type: z.literal('progress'),
    attempt,
    node: z.string(),
    value: z.number(),
    max: z.number(),
    reportedAt: z.number(),
    /** The step's picture, already encoded (and paced) on the worker: its bytes are the entry's `b`. */
    preview: z.object({ mimeType: z.enum(['image/jpeg', 'image/png']), droppable: z.boolean() }).optional(),
  }),
  /** An image a node wrote, sent before the node's `node_done` so `/view` can serve it when the client hears. */
  z.object({
    type: z.literal('file'),
    attempt,
    folder: z.enum(['output', 'temp']),
    subfolder: z.string(),
    filename: z.string(),
  }),
  z.object({
    type: z.literal('node_done'),
    attempt,
    node: z.string(),
    ui: uiOutputSchema.optional(),
    fromCache: z.boolean(),
    ms: z.number(),
  }),
  z.object({ type: z.literal('finished'), attempt, result: executionResultSchema }),
]);
export type RelayEntry = z.infer<typeof relayEntrySchema>;

/** An entry as read back: the JSON, and its bytes if it carries any. */
export interface RelayRecord {
  readonly entry: RelayEntry;
  readonly bytes: Buffer | undefined;
}

/** The fields of an XADD for `entry`. */
export function relayFields(entry: RelayEntry, bytes?: Uint8Array): (string | Buffer)[] {
  const fields: (string | Buffer)[] = ['e', JSON.stringify(entry)];
  if (bytes) fields.push('b', Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return fields;
}

/** Reads an entry's fields (as `xreadBuffer` returns them: name, value, name, value, …). */
export function readRelayFields(fields: readonly Buffer[]): Result<RelayRecord> {
  let json: string | undefined;
  let bytes: Buffer | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString();
    if (name === 'e') json = fields[i + 1]!.toString();
    else if (name === 'b') bytes = fields[i + 1];
  }
  if (json === undefined) return err('a relay entry without its JSON field');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return err('a relay entry whose JSON does not parse');
  }
  const parsed = relayEntrySchema.safeParse(value);
  if (!parsed.success) return err(`a relay entry of unknown shape: ${parsed.error.issues[0]?.message ?? ''}`);
  return ok({ entry: parsed.data, bytes });
}

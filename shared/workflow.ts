import { z } from 'zod';
import { err, ok, type Result } from './result.js';

/**
 * The workflow JSON. Its core is ComfyUI's API format ("the prompt"): node id → {class_type, inputs, _meta}.
 * Inkgraph keeps each node's editor layout under `_meta`, so a prompt is also a complete document.
 * Editor-wide data (groups, viewport, version) wraps the prompt in an envelope; a bare prompt loads as is.
 */

/** A link: `[source_node_id, output_index]`. */
export const linkSchema = z.tuple([z.string(), z.number().int().nonnegative()]);
export type Link = z.infer<typeof linkSchema>;

export const nodeLayoutSchema = z.object({
  title: z.string().optional(),
  pos: z.tuple([z.number(), z.number()]).optional(),
  size: z.tuple([z.number(), z.number()]).optional(),
  collapsed: z.boolean().optional(),
  /** 0 = always, 2 = muted, 4 = bypassed (litegraph's modes); muted/bypassed nodes are resolved away before queueing. */
  mode: z.union([z.literal(0), z.literal(2), z.literal(4)]).optional(),
  color: z.string().optional(),
});
export type NodeLayout = z.infer<typeof nodeLayoutSchema>;

/** One input value as it appears in a prompt: a constant, a link, or a wrapped array constant. */
export const inputValueSchema = z.unknown();

/**
 * A record keyed by input (node ids, input names) that refuses a `__proto__` key with a reason. zod drops that key
 * silently (assigning it would set the result's prototype instead), so the node would vanish and a link to it fail
 * as "does not exist"; every other name, `constructor` and `toString` included, is an ordinary key.
 */
function refusingProtoKey<T extends z.ZodType>(schema: T, what: string) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      if (typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')) {
        ctx.addIssue({
          code: 'custom',
          message: `"__proto__" cannot be ${what}: JavaScript objects reserve that name for their prototype`,
          path: ['__proto__'],
        });
      }
    })
    .pipe(schema);
}

export const apiNodeSchema = z.object({
  class_type: z.string(),
  inputs: refusingProtoKey(z.record(z.string(), inputValueSchema), 'an input name').default({}),
  _meta: nodeLayoutSchema.passthrough().optional(),
});
export type ApiNode = z.infer<typeof apiNodeSchema>;

/** ComfyUI's API-format prompt. Node ids are strings (subgraph ids may contain ':'). */
export const apiPromptSchema = refusingProtoKey(z.record(z.string(), apiNodeSchema), 'a node id');
export type ApiPrompt = z.infer<typeof apiPromptSchema>;

export const groupSchema = z.object({
  id: z.string().optional(),
  title: z.string(),
  bounding: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  color: z.string().optional(),
});
export type Group = z.infer<typeof groupSchema>;

/** An editor-only routing point on a wire. */
export const rerouteSchema = z.object({
  id: z.string(),
  pos: z.tuple([z.number(), z.number()]),
  from: linkSchema.optional(),
});
export type Reroute = z.infer<typeof rerouteSchema>;

export const viewportSchema = z.object({ x: z.number(), y: z.number(), zoom: z.number() });
export type Viewport = z.infer<typeof viewportSchema>;

/** One input or output of a subgraph: a stable id, a name unique among its kind, and the socket type it carries. */
export const subgraphSlotSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  type: z.string().min(1),
});
export type SubgraphSlot = z.infer<typeof subgraphSlotSchema>;

/**
 * A subgraph (ComfyUI's `definitions.subgraphs` entry), in the document's own form: its inner nodes are an API prompt
 * with `_meta` layout; an inner input linked from the subgraph's input `i` holds the link `["-10", i]` (litegraph's
 * input node id); output `j` says which inner output feeds it. Instances are nodes whose class_type is the id.
 */
export const subgraphDefinitionSchema = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    category: z.string().optional(),
    description: z.string().optional(),
    nodes: apiPromptSchema,
    inputs: z.array(subgraphSlotSchema).default([]),
    outputs: z.array(subgraphSlotSchema.extend({ link: linkSchema.optional() })).default([]),
    /** Where the boundary nodes sit inside (litegraph's inputNode / outputNode bounding's corner). */
    inputPos: z.tuple([z.number(), z.number()]).optional(),
    outputPos: z.tuple([z.number(), z.number()]).optional(),
    /** Groups and reroutes drawn inside, as the document keeps its own (absent when there are none). */
    groups: z.array(groupSchema).optional(),
    reroutes: z.array(rerouteSchema).optional(),
  })
  .superRefine((definition, ctx) => {
    for (const kind of ['inputs', 'outputs'] as const) {
      const names = new Set<string>();
      definition[kind].forEach((slot, index) => {
        if (names.has(slot.name))
          ctx.addIssue({
            code: 'custom',
            message: `two ${kind} are named "${slot.name}"`,
            path: [kind, index, 'name'],
          });
        names.add(slot.name);
      });
    }
    if (Object.hasOwn(definition.nodes, '-10') || Object.hasOwn(definition.nodes, '-20'))
      ctx.addIssue({ code: 'custom', message: 'node ids -10 and -20 are the boundary nodes', path: ['nodes'] });
  });
export type SubgraphDefinition = z.infer<typeof subgraphDefinitionSchema>;

export const definitionsSchema = z.object({
  subgraphs: z
    .array(subgraphDefinitionSchema)
    .default([])
    .superRefine((subgraphs, ctx) => {
      const ids = new Set<string>();
      subgraphs.forEach((subgraph, index) => {
        if (ids.has(subgraph.id))
          ctx.addIssue({ code: 'custom', message: `two subgraphs have the id "${subgraph.id}"`, path: [index, 'id'] });
        ids.add(subgraph.id);
      });
    }),
});
export type Definitions = z.infer<typeof definitionsSchema>;

export const WORKFLOW_FORMAT = 'inkgraph-workflow';
export const WORKFLOW_VERSION = 1;

export const workflowEnvelopeSchema = z.object({
  format: z.literal(WORKFLOW_FORMAT).optional(),
  version: z.number().int().positive().default(WORKFLOW_VERSION),
  prompt: apiPromptSchema,
  groups: z.array(groupSchema).default([]),
  viewport: viewportSchema.optional(),
  /** Editor-only routing points: links through one name it in the target's `_meta.via`; `from` keeps its source. */
  reroutes: z.array(rerouteSchema).default([]),
  /** Reusable parts of the document: subgraphs, as ComfyUI's `definitions.subgraphs`. Absent in older documents. */
  definitions: definitionsSchema.optional(),
});
export type WorkflowEnvelope = z.infer<typeof workflowEnvelopeSchema>;

/** True when a value is shaped like a link: a 2-element array `[string|number, number]`. */
export function isLink(value: unknown): value is [string | number, number] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    (typeof value[0] === 'string' || typeof value[0] === 'number') &&
    typeof value[1] === 'number'
  );
}

/** A workflow document as read: its envelope, and whether it came as a bare API prompt. */
export interface WorkflowDocument {
  readonly envelope: WorkflowEnvelope;
  readonly wasBare: boolean;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Reads any workflow document Inkgraph accepts: the Inkgraph envelope, or a bare ComfyUI API prompt.
 * A ComfyUI UI-format (litegraph) workflow is recognised and refused with a clear reason.
 */
export function parseWorkflowDocument(json: unknown): Result<WorkflowDocument> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return err('a workflow must be a JSON object');
  }
  const record = json as Record<string, unknown>;
  if (
    'prompt' in record &&
    typeof record.prompt === 'object' &&
    record.prompt !== null &&
    !('class_type' in record.prompt)
  ) {
    const parsed = workflowEnvelopeSchema.safeParse(record);
    if (!parsed.success) return err(`invalid workflow envelope: ${describeIssues(parsed.error)}`);
    return ok({ envelope: parsed.data, wasBare: false });
  }
  if (Array.isArray(record.nodes) && Array.isArray(record.links)) {
    return err(
      'this is a ComfyUI UI-format (litegraph) workflow; export it with "Export (API)" in ComfyUI, or drop it into the Inkgraph editor',
    );
  }
  const parsed = apiPromptSchema.safeParse(record);
  if (!parsed.success) return err(`invalid API prompt: ${describeIssues(parsed.error)}`);
  return ok({ envelope: { version: WORKFLOW_VERSION, prompt: parsed.data, groups: [], reroutes: [] }, wasBare: true });
}

/** Export for the API: the bare prompt, without editor-only layout beyond `_meta.title`. */
export function toApiPrompt(envelope: WorkflowEnvelope): ApiPrompt {
  const prompt: ApiPrompt = {};
  for (const [id, node] of Object.entries(envelope.prompt)) {
    prompt[id] = {
      class_type: node.class_type,
      inputs: node.inputs,
      ...(node._meta?.title !== undefined ? { _meta: { title: node._meta.title } } : {}),
    };
  }
  return prompt;
}

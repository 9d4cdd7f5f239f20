import { readFileSync } from 'node:fs';
import { describeTooDeep, findTooDeep } from '../../shared/json-depth.js';
import { ownValue } from '../../shared/own-property.js';
import { err, ok, type Result } from '../../shared/result.js';
import { parseWorkflowDocument, type WorkflowEnvelope } from '../../shared/workflow.js';
import { decodeImage } from '../../media/decode-image.js';
import type { InputOverride } from './args.js';
import type { ObjectInfo } from '../../shared/node-spec.js';
import { fromLitegraph, isLitegraphWorkflow } from '../../shared/litegraph-import.js';

/**
 * Reads a workflow from a JSON file (Inkgraph's document, a ComfyUI API prompt, or ComfyUI's UI format), or from
 * a PNG's embedded `inkgraph`, `workflow` or `prompt` text.
 */
export function loadWorkflowFile(path: string, objectInfo: ObjectInfo): Result<WorkflowEnvelope> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    return err(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let json: unknown;
  if (path.toLowerCase().endsWith('.png')) {
    const decoded = decodeImage(bytes);
    if (!decoded.ok) return err(`${path}: ${decoded.reason}`);
    const text = decoded.value.text.inkgraph ?? decoded.value.text.workflow ?? decoded.value.text.prompt;
    if (text === undefined) return err(`${path} carries no embedded workflow`);
    try {
      json = JSON.parse(text);
    } catch {
      return err(`${path}: the embedded workflow is not JSON`);
    }
  } else {
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      return err(`${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const tooDeep = findTooDeep(json);
  if (tooDeep) return err(`${path}: ${describeTooDeep(tooDeep)}`);
  if (isLitegraphWorkflow(json)) {
    const converted = fromLitegraph(json, objectInfo);
    return converted.ok ? converted : err(`${path}: ${converted.reason}`);
  }
  const document = parseWorkflowDocument(json);
  return document.ok ? ok(document.value.envelope) : err(`${path}: ${document.reason}`);
}

/** Applies `--set` overrides; each must name an existing node. */
export function applyOverrides(
  envelope: WorkflowEnvelope,
  overrides: readonly InputOverride[],
): Result<WorkflowEnvelope> {
  const prompt = structuredClone(envelope.prompt);
  for (const override of overrides) {
    const node = ownValue(prompt, override.nodeId);
    // As a key it would set the inputs' prototype; the prompt schema refuses it too.
    if (override.input === '__proto__')
      return err(`--set ${override.nodeId}.__proto__: "__proto__" cannot be an input name`);
    if (!node)
      return err(
        `--set ${override.nodeId}.${override.input}: the workflow has no node ${override.nodeId} (it has ${Object.keys(prompt).join(', ')})`,
      );
    node.inputs[override.input] = override.value;
  }
  return ok({ ...envelope, prompt });
}

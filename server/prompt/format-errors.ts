import type { NodeError, PromptError } from '../../shared/protocol.js';
import { ownValue } from '../../shared/own-property.js';
import type { ApiPrompt } from '../../shared/workflow.js';

/** Readable, per-node validation errors for a terminal: "#3 ImageScale (My title) · width: Value 99999 bigger than max of 16384". */
export function formatValidationErrors(
  prompt: ApiPrompt,
  error: PromptError,
  nodeErrors: Record<string, NodeError>,
): string[] {
  const lines = [`${error.message}${error.type ? ` [${error.type}]` : ''}`];
  for (const [id, entry] of Object.entries(nodeErrors)) {
    const title = ownValue(prompt, id)?._meta?.title;
    const head = `  #${id} ${entry.class_type}${title && title !== entry.class_type ? ` (${title})` : ''}`;
    for (const nodeError of entry.errors) {
      const input =
        typeof nodeError.extra_info.input_name === 'string' && nodeError.extra_info.input_name !== ''
          ? ` · ${nodeError.extra_info.input_name}`
          : '';
      lines.push(`${head}${input}: ${nodeError.message}${nodeError.details ? ` — ${nodeError.details}` : ''}`);
    }
  }
  if (Object.keys(nodeErrors).length === 0 && error.details) lines.push(`  ${error.details}`);
  return lines;
}

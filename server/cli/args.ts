import { describeTooDeep, findTooDeep } from '../../shared/json-depth.js';
import { err, ok, type Result } from '../../shared/result.js';

/** `--set NODE_ID.INPUT=VALUE`: VALUE is JSON when it parses as JSON, else a string. */
export interface InputOverride {
  readonly nodeId: string;
  readonly input: string;
  readonly value: unknown;
}

export function parseOverride(text: string): Result<InputOverride> {
  const eq = text.indexOf('=');
  const target = eq < 0 ? '' : text.slice(0, eq);
  const dot = target.lastIndexOf('.');
  if (eq < 0 || dot <= 0 || dot === target.length - 1)
    return err(`--set expects NODE_ID.INPUT=VALUE, got ${JSON.stringify(text)}`);
  const raw = text.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  const tooDeep = findTooDeep(value);
  if (tooDeep) return err(`--set ${target}: ${describeTooDeep(tooDeep)}`);
  return ok({ nodeId: target.slice(0, dot), input: target.slice(dot + 1), value });
}

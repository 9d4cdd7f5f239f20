import { describeTooDeep, findTooDeep } from '../../shared/json-depth.js';
import { err, ok, type Result } from '../../shared/result.js';

export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Map<string, string[]>;
}

/** `--name value`, `--name=value` and bare `--switch` (given in `switches`). */
export function parseArgs(
  argv: readonly string[],
  switches: ReadonlySet<string>,
  valued: ReadonlySet<string>,
): Result<ParsedArgs> {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  const add = (name: string, value: string): void => {
    flags.set(name, [...(flags.get(name) ?? []), value]);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (switches.has(name)) {
      add(name, eq < 0 ? 'true' : arg.slice(eq + 1));
      continue;
    }
    if (!valued.has(name)) return err(`unknown option --${name}`);
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) return err(`--${name} needs a value`);
    add(name, value);
  }
  return ok({ positional, flags });
}

export function lastFlag(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.at(-1);
}

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

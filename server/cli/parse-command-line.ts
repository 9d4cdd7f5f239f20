import { parseArgs } from 'node:util';
import { err, ok, type Result } from '../../shared/result.js';
import type { OptionTable, OptionValues } from './option-spec.js';

/** A command's words, split but not yet read: the texts given for each option, and the operands. */
export interface CommandLine {
  readonly positionals: readonly string[];
  readonly given: ReadonlyMap<string, readonly string[]>;
}

/**
 * Splits `argv` with `util.parseArgs` (`--name value`, `--name=value`, `--` ends the options) and checks every
 * option against `table`. parseArgs runs non-strict and this checks the tokens, so that every error names the
 * option the same way, a value may start with `-` (`--set 1.x=-5` as `--set --x`), and an option's value may be
 * optional (`bareValue`), which parseArgs cannot express.
 */
export function splitCommandLine(argv: readonly string[], table: OptionTable): Result<CommandLine> {
  const options = Object.fromEntries(
    Object.entries(table).map(([name, spec]) => [
      name,
      // An optional value is parsed as a switch; its value is the word after it or after `=`.
      { type: spec.bareValue === undefined ? spec.type : ('boolean' as const) },
    ]),
  );
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const given = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    const spec = token.rawName.startsWith('--') && Object.hasOwn(table, token.name) ? table[token.name] : undefined;
    if (spec === undefined) return err(`unknown option ${token.rawName}`);
    let value = token.value;
    if (spec.bareValue !== undefined && value === undefined) {
      // As argparse's nargs='?': the next word is the value unless it is an option (or follows `--`).
      const next = tokens[i + 1];
      if (next?.kind === 'positional' && next.index === token.index + 1) {
        value = next.value;
        i++;
      } else value = spec.bareValue;
    }
    if (spec.type === 'boolean' && value !== undefined) return err(`${token.rawName} takes no value`);
    if (spec.type === 'string' && value === undefined) return err(`${token.rawName} needs a value`);
    given.set(token.name, [...(given.get(token.name) ?? []), value ?? '']);
  }
  return ok({ positionals, given });
}

/** Every option's value, read by its spec (defaults for those not given); all the problems at once, a line each. */
export function readOptions<T extends OptionTable>(line: CommandLine, table: T): Result<OptionValues<T>> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(table)) {
    const read = spec.read(line.given.get(name) ?? [], `--${name}`);
    if (read.ok) values[name] = read.value;
    else problems.push(read.reason);
  }
  if (problems.length > 0) return err(problems.join('\n'));
  // Each key of the table was read by its own spec just above, so each value has the type OptionValues names.
  return ok(values as OptionValues<T>);
}

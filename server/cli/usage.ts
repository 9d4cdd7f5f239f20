import type { OptionSpec, OptionTable } from './option-spec.js';

export interface CommandSpec<T extends OptionTable = OptionTable> {
  readonly name: string;
  /** The operands' names, in order (`WORKFLOW.json`); each one is required. */
  readonly operands: readonly string[];
  /** What it says when an operand is missing. */
  readonly missingOperand?: string;
  readonly summary: string;
  readonly options: T;
  /** Its options are another command's: the usage text says so instead of listing them twice. */
  readonly optionsOf?: string;
}

/** `--port N`, `--enable-cors-header [ORIGIN]`, `--set NODE_ID.INPUT=VALUE …`, `--help`. */
export function optionSyntax(name: string, spec: OptionSpec<unknown>): string {
  const value =
    spec.placeholder === undefined
      ? ''
      : spec.bareValue === undefined
        ? ` ${spec.placeholder}`
        : ` [${spec.placeholder}]`;
  // A list's placeholder already ends in an ellipsis (`HOST,…`).
  const repeats = spec.repeatable === true && !value.endsWith('…');
  return `--${name}${value}${repeats ? ' …' : ''}`;
}

function optionHelp(spec: OptionSpec<unknown>): string {
  return spec.defaultText === undefined ? spec.description : `${spec.description} (default ${spec.defaultText})`;
}

/** The usage text: each command, its summary and an aligned table of its options, then `notes`. */
export function formatUsage(title: string, commands: readonly CommandSpec[], notes: string): string {
  const syntaxWidth = Math.max(
    ...commands.flatMap((command) =>
      Object.entries(command.options).map(([name, spec]) => optionSyntax(name, spec).length),
    ),
  );
  const sections = commands.map((command) => {
    const head = `  inkgraph ${[command.name, ...command.operands].join(' ')}${Object.keys(command.options).length > 0 ? ' [OPTIONS]' : ''}`;
    const lines = [head, `      ${command.summary}`];
    if (command.optionsOf !== undefined) lines.push(`      options: as for ${command.optionsOf}`);
    else
      for (const [name, spec] of Object.entries(command.options))
        lines.push(`    ${optionSyntax(name, spec).padEnd(syntaxWidth)}  ${optionHelp(spec)}`);
    return lines.join('\n');
  });
  return `${title}\n\nUsage:\n${sections.join('\n\n')}\n\n${notes}`;
}

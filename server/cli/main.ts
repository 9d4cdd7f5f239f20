import { CALIBRATE_MEMORY, RUN, SERVE, USAGE, VALIDATE, WORKER } from './commands.js';
import type { OptionTable, OptionValues } from './option-spec.js';
import { readOptions, splitCommandLine } from './parse-command-line.js';
import type { CommandSpec } from './usage.js';

/** What a command line asks for: a command with its operands and options read, or an exit code to return now. */
type Invocation<T extends OptionTable> =
  | { readonly run: true; readonly operands: readonly string[]; readonly values: OptionValues<T> }
  | { readonly run: false; readonly exitCode: number };

/**
 * Reads `argv` for `command`, printing what went wrong (with the usage for a malformed line) or the help.
 * A malformed line and a missing operand exit 2 before any value is read; bad values are listed all at once.
 */
function invoke<T extends OptionTable>(command: CommandSpec<T>, argv: readonly string[]): Invocation<T> {
  const line = splitCommandLine(argv, command.options);
  if (!line.ok) {
    console.error(`${line.reason}\n\n${USAGE}`);
    return { run: false, exitCode: 2 };
  }
  if (line.value.given.has('help')) {
    console.log(USAGE);
    return { run: false, exitCode: 0 };
  }
  const { positionals } = line.value;
  if (positionals.length < command.operands.length) {
    console.error(`${command.missingOperand ?? `${command.name} needs ${command.operands.join(' ')}`}\n\n${USAGE}`);
    return { run: false, exitCode: 2 };
  }
  if (positionals.length > command.operands.length) {
    const extra = positionals[command.operands.length];
    console.error(`${command.name}: unexpected argument ${JSON.stringify(extra)}\n\n${USAGE}`);
    return { run: false, exitCode: 2 };
  }
  const values = readOptions(line.value, command.options);
  if (!values.ok) {
    console.error(values.reason);
    return { run: false, exitCode: 2 };
  }
  return { run: true, operands: positionals, values: values.value };
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  switch (command) {
    case SERVE.name: {
      const call = invoke(SERVE, rest);
      // Each command's modules load only when it runs, so `--help` and a malformed line answer at once.
      return call.run ? (await import('./serve.js')).serve(call.values) : call.exitCode;
    }
    case WORKER.name: {
      const call = invoke(WORKER, rest);
      return call.run ? (await import('./worker.js')).worker(call.values) : call.exitCode;
    }
    case RUN.name:
    case VALIDATE.name: {
      const call = invoke(command === RUN.name ? RUN : VALIDATE, rest);
      if (!call.run) return call.exitCode;
      // The engine's thread starts before the registry and validation load here, so the two overlap.
      const engine = command === RUN.name ? (await import('./run-engine.js')).startRunEngine(call.values) : undefined;
      const { runWorkflow } = await import('./run-workflow.js');
      return runWorkflow(call.operands[0]!, call.values, engine);
    }
    case CALIBRATE_MEMORY.name: {
      const call = invoke(CALIBRATE_MEMORY, rest);
      if (!call.run) return call.exitCode;
      const { calibrateMemory } = await import('./calibrate-memory.js');
      return calibrateMemory(call.operands[0]!, {
        maxSeconds: call.values['max-seconds'],
        maxBytes: 4 * 1024 ** 3,
        log: (line) => console.log(line),
      });
    }
    default:
      console.error(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

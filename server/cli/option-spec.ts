import {
  describeExecutionProviders,
  parseExecutionProvider,
  type ExecutionProviderName,
} from '../../shared/execution-provider.js';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * One command-line option: how it is written, what `--help` says about it, and how its text becomes a value.
 * The usage text is generated from these, so what is parsed and what is documented cannot drift apart.
 */
export interface OptionSpec<V> {
  /** A string option takes a value (`--port 8188`, `--port=8188`); a boolean one is a bare switch. */
  readonly type: 'string' | 'boolean';
  /** The value's name in the usage text (`--port N`). */
  readonly placeholder?: string;
  readonly description: string;
  /** The default as the usage text shows it. */
  readonly defaultText?: string;
  /** Given more than once, every value counts (else the last one wins). */
  readonly repeatable?: boolean;
  /**
   * The value of the option given alone: its value is then optional, as argparse's nargs='?' with const
   * (`--enable-cors-header` alone, `--enable-cors-header ORIGIN`, `--enable-cors-header=ORIGIN`).
   */
  readonly bareValue?: string;
  /** The value from every text given for it, in order (none when it was not given); `flag` names it in errors. */
  readonly read: (texts: readonly string[], flag: string) => Result<V>;
}

/** A command's options, by name without the leading `--`. */
export type OptionTable = Readonly<Record<string, OptionSpec<unknown>>>;

export type OptionValues<T extends OptionTable> = {
  readonly [K in keyof T]: T[K] extends OptionSpec<infer V> ? V : never;
};

interface Described {
  readonly description: string;
  readonly defaultText?: string;
}

function lastOf<V>(absent: V, parse: (text: string, flag: string) => Result<V>): OptionSpec<V>['read'] {
  return (texts, flag) => {
    const text = texts.at(-1);
    return text === undefined ? ok(absent) : parse(text, flag);
  };
}

/** Free text; undefined when not given. */
export function textOption(spec: Described & { readonly placeholder: string }): OptionSpec<string | undefined> {
  return { type: 'string', ...spec, read: lastOf<string | undefined>(undefined, (text) => ok(text)) };
}

/** Free text with a default. */
export function textWithDefault(
  spec: Described & { readonly placeholder: string; readonly fallback: string },
): OptionSpec<string> {
  const { fallback, ...shown } = spec;
  return { type: 'string', defaultText: fallback, ...shown, read: lastOf(fallback, (text) => ok(text)) };
}

/** A whole number ≥ `min`. */
export function integerOption(
  spec: Described & { readonly placeholder: string; readonly fallback: number; readonly min: number },
): OptionSpec<number> {
  const { fallback, min, ...shown } = spec;
  return {
    type: 'string',
    defaultText: String(fallback),
    ...shown,
    read: lastOf(fallback, (text, flag) => {
      const value = Number(text);
      return Number.isInteger(value) && value >= min
        ? ok(value)
        : err(`${flag} must be an integer ≥ ${min}, got ${JSON.stringify(text)}`);
    }),
  };
}

/** One of `choices`. */
export function choiceOption<C extends string>(
  spec: Described & { readonly choices: readonly C[]; readonly fallback: C },
): OptionSpec<C> {
  const { choices, fallback, ...shown } = spec;
  return {
    type: 'string',
    placeholder: choices.join('|'),
    defaultText: fallback,
    ...shown,
    read: lastOf(fallback, (text, flag) => {
      const choice = choices.find((candidate) => candidate === text);
      return choice === undefined ? err(`${flag} must be one of ${choices.join(', ')}`) : ok(choice);
    }),
  };
}

/** A quantity read by `parse` (sizes, pixel counts); undefined when not given, so the caller's default applies. */
export function quantityOption(
  spec: Described & { readonly placeholder: string; readonly parse: (text: string) => Result<number> },
): OptionSpec<number | undefined> {
  const { parse, ...shown } = spec;
  return {
    type: 'string',
    ...shown,
    read: lastOf<number | undefined>(undefined, (text, flag) => {
      const parsed = parse(text);
      return parsed.ok ? parsed : err(`${flag}: ${parsed.reason}`);
    }),
  };
}

/** A bare switch: true when given. */
export function switchOption(spec: Described): OptionSpec<boolean> {
  return { type: 'boolean', ...spec, read: (texts) => ok(texts.length > 0) };
}

/** Comma-separated items, from every time it is given, blanks dropped. */
export function listOption(spec: Described & { readonly placeholder: string }): OptionSpec<readonly string[]> {
  return {
    type: 'string',
    repeatable: true,
    ...spec,
    read: (texts) =>
      ok(
        texts
          .flatMap((list) => list.split(','))
          .map((item) => item.trim())
          .filter((item) => item !== ''),
      ),
  };
}

/** Every value given, each read by `parse`; the first error stops. */
export function repeatedOption<V>(
  spec: Described & { readonly placeholder: string; readonly parse: (text: string) => Result<V> },
): OptionSpec<readonly V[]> {
  const { parse, ...shown } = spec;
  return {
    type: 'string',
    repeatable: true,
    ...shown,
    read: (texts) => {
      const values: V[] = [];
      for (const text of texts) {
        const parsed = parse(text);
        if (!parsed.ok) return parsed;
        values.push(parsed.value);
      }
      return ok(values);
    },
  };
}

/** A value that may be left out (`bareValue` then): undefined when the option is not given at all. */
export function optionalValueOption(
  spec: Described & { readonly placeholder: string; readonly bareValue: string },
): OptionSpec<string | undefined> {
  return { type: 'string', ...spec, read: lastOf<string | undefined>(undefined, (text) => ok(text)) };
}

/** The environment variable `--execution-provider` falls back to. */
export const EXECUTION_PROVIDER_ENV = 'INKGRAPH_EXECUTION_PROVIDER';

/**
 * `--execution-provider NAME`: the onnxruntime execution provider every session asks for first; not given, the
 * INKGRAPH_EXECUTION_PROVIDER variable (of `env`, read when the command line is), else `fallback`.
 */
export function executionProviderOption(
  fallback: ExecutionProviderName,
  env: Readonly<Record<string, string | undefined>> = process.env,
): OptionSpec<ExecutionProviderName> {
  return {
    type: 'string',
    placeholder: 'NAME',
    description: `the onnxruntime execution provider: ${describeExecutionProviders()}; one that cannot start falls back to cpu; ${EXECUTION_PROVIDER_ENV} sets it too`,
    defaultText: fallback,
    read: (texts, flag) => {
      const fromFlag = texts.at(-1);
      const fromEnv = env[EXECUTION_PROVIDER_ENV] || undefined;
      const text = fromFlag ?? fromEnv;
      if (text === undefined) return ok(fallback);
      const parsed = parseExecutionProvider(text);
      return parsed.ok ? parsed : err(`${fromFlag !== undefined ? flag : EXECUTION_PROVIDER_ENV}: ${parsed.reason}`);
    },
  };
}

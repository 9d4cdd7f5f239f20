import { describe, expect, it } from 'vitest';
import { CALIBRATE_MEMORY, COMMANDS, RUN, SERVE_OPTIONS, USAGE, VALIDATE } from '../../server/cli/commands.js';
import type { OptionTable, OptionValues } from '../../server/cli/option-spec.js';
import { readOptions, splitCommandLine } from '../../server/cli/parse-command-line.js';
import { serverOptionsFrom } from '../../server/cli/serve-options.js';
import { optionSyntax } from '../../server/cli/usage.js';
import type { Result } from '../../shared/result.js';

function parse<T extends OptionTable>(table: T, argv: string[]): Result<OptionValues<T>> {
  const line = splitCommandLine(argv, table);
  return line.ok ? readOptions(line.value, table) : line;
}

function values<T extends OptionTable>(table: T, argv: string[]): OptionValues<T> {
  const parsed = parse(table, argv);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

function reason(result: Result<unknown>): string {
  return result.ok ? '' : result.reason;
}

describe('inkgraph serve options', () => {
  it('has the defaults of the server', () => {
    const serve = values(SERVE_OPTIONS, []);
    expect(serve.host).toBe('127.0.0.1');
    expect(serve.port).toBe(8188);
    expect(serve['preview-method']).toBe('auto');
    expect(serve['preview-every']).toBe(5);
    expect(serve['cache-size']).toBe(256);
    expect(serve['max-models']).toBe(4);
    expect(serve['max-upload-size']).toBe(100);
    expect(serve['shutdown-grace']).toBe(30);
    expect(serve['enable-cors-header']).toBeUndefined();
    expect(serve['allow-unauthenticated-network']).toBe(false);
    expect(serve['allowed-hosts']).toEqual([]);
    expect(serve['max-memory']).toBeUndefined();
  });

  it('reads `--name value` and `--name=value`, the last one winning', () => {
    const serve = values(SERVE_OPTIONS, ['--port', '0', '--host=0.0.0.0', '--port=9000', '--models', 'm']);
    expect([serve.port, serve.host, serve.models]).toEqual([9000, '0.0.0.0', 'm']);
  });

  it('reads sizes, pixel counts, lists and switches', () => {
    const serve = values(SERVE_OPTIONS, [
      '--max-memory',
      '8GiB',
      '--cache-memory=512MiB',
      '--max-image-pixels',
      '16k',
      '--allowed-hosts',
      'a.example, b.example',
      '--allowed-hosts=c.example,',
      '--allow-unauthenticated-network',
    ]);
    expect(serve['max-memory']).toBe(8 * 1024 ** 3);
    expect(serve['cache-memory']).toBe(512 * 1024 ** 2);
    expect(serve['max-image-pixels']).toBe(16 * 1024);
    expect(serve['allowed-hosts']).toEqual(['a.example', 'b.example', 'c.example']);
    expect(serve['allow-unauthenticated-network']).toBe(true);
  });

  it('--enable-cors-header alone means any origin; with an origin, after a space or =, that origin', () => {
    const cors = (argv: string[]) => values(SERVE_OPTIONS, argv)['enable-cors-header'];
    expect(cors(['--enable-cors-header'])).toBe('*');
    expect(cors(['--enable-cors-header', 'http://x.example'])).toBe('http://x.example');
    expect(cors(['--enable-cors-header=http://x.example'])).toBe('http://x.example');
    expect(cors(['--enable-cors-header', '--port', '1'])).toBe('*');
    expect(cors(['--enable-cors-header', '--', 'http://x.example'])).toBe('*');
    expect(serverOptionsFrom(values(SERVE_OPTIONS, ['--enable-cors-header', 'http://x.example'])).corsOrigin).toBe(
      'http://x.example',
    );
    expect(serverOptionsFrom(values(SERVE_OPTIONS, ['--enable-cors-header'])).corsOrigin).toBe('*');
    expect(serverOptionsFrom(values(SERVE_OPTIONS, [])).corsOrigin).toBeUndefined();
  });

  it('an origin after --enable-cors-header is not left over as an operand', () => {
    const line = splitCommandLine(['--enable-cors-header', 'http://x.example'], SERVE_OPTIONS);
    expect(line.ok && line.value.positionals).toEqual([]);
  });

  it('turns the flags into server options', () => {
    const options = serverOptionsFrom(
      values(SERVE_OPTIONS, ['--data', '/d', '--max-upload-size', '2', '--auth-token', 't', '--cache-size', '0']),
    );
    expect(options.dataDir).toBe('/d');
    expect(options.workflowsDir).toBe('/d/workflows');
    expect(options.maxUploadBytes).toBe(2 * 1024 * 1024);
    expect(options.authToken).toBe('t');
    expect(options.outputCacheSize).toBe(0);
    expect(options).not.toHaveProperty('modelsDir');
    expect(options).not.toHaveProperty('maxMemoryBytes');
    expect(serverOptionsFrom(values(SERVE_OPTIONS, ['--auth-token', '']))).not.toHaveProperty('authToken');
  });
});

describe('command-line errors name the flag', () => {
  it('refuses an unknown option, short or long, and a prototype name', () => {
    expect(reason(parse(SERVE_OPTIONS, ['--bogus', '1']))).toBe('unknown option --bogus');
    expect(reason(parse(SERVE_OPTIONS, ['-p', '1']))).toBe('unknown option -p');
    expect(reason(parse(SERVE_OPTIONS, ['--__proto__']))).toBe('unknown option --__proto__');
    expect(reason(parse(SERVE_OPTIONS, ['--constructor=1']))).toBe('unknown option --constructor');
    // A flag of another command is unknown to this one.
    expect(reason(parse(RUN.options, ['--port', '1']))).toBe('unknown option --port');
  });

  it('refuses a missing value and a value given to a switch', () => {
    expect(reason(parse(SERVE_OPTIONS, ['--port']))).toBe('--port needs a value');
    expect(reason(parse(SERVE_OPTIONS, ['--allow-unauthenticated-network=yes']))).toBe(
      '--allow-unauthenticated-network takes no value',
    );
  });

  it('lists every bad value at once', () => {
    const problems = reason(parse(SERVE_OPTIONS, ['--port', '12x', '--preview-method', 'bogus', '--max-memory=lots']));
    expect(problems.split('\n')).toEqual([
      '--port must be an integer ≥ 0, got "12x"',
      '--preview-method must be one of none, auto, latent2rgb, vae',
      '--max-memory: "lots" is not a size: write e.g. 8GiB, 512MiB or a number of bytes',
    ]);
    expect(reason(parse(SERVE_OPTIONS, ['--max-models', '0']))).toBe('--max-models must be an integer ≥ 1, got "0"');
    expect(reason(parse(SERVE_OPTIONS, ['--max-image-pixels', 'big']))).toContain('--max-image-pixels: "big"');
  });
});

describe('inkgraph run options', () => {
  it('collects every --set in order, a value that starts with - included', () => {
    const run = values(RUN.options, ['--set', '2.width=64', '--set=3.text="a b"', '--set', '4.x=-5', '--out', 'o']);
    expect(run.set).toEqual([
      { nodeId: '2', input: 'width', value: 64 },
      { nodeId: '3', input: 'text', value: 'a b' },
      { nodeId: '4', input: 'x', value: -5 },
    ]);
    expect(run.out).toBe('o');
    expect(run['preview-every']).toBe(5);
  });

  it('refuses a malformed --set, saying what it expects', () => {
    expect(reason(parse(RUN.options, ['--set', 'width=64']))).toBe('--set expects NODE_ID.INPUT=VALUE, got "width=64"');
  });

  it('keeps operands apart from options, and everything after -- is an operand', () => {
    const line = splitCommandLine(['wf.json', '--out', 'o', '--', '--set'], RUN.options);
    expect(line.ok && line.value.positionals).toEqual(['wf.json', '--set']);
  });

  it('validate takes exactly the options of run', () => {
    expect(VALIDATE.options).toBe(RUN.options);
    expect(values(CALIBRATE_MEMORY.options, ['--max-seconds', '7'])['max-seconds']).toBe(7);
  });
});

describe('the usage text', () => {
  it('is generated from the tables: every command and every option, with its value and default', () => {
    for (const command of COMMANDS) {
      expect(USAGE).toContain(`inkgraph ${[command.name, ...command.operands].join(' ')}`);
      for (const [name, spec] of Object.entries(command.options)) {
        expect(USAGE).toContain(optionSyntax(name, spec));
        if (spec.defaultText !== undefined) expect(USAGE).toContain(`(default ${spec.defaultText})`);
      }
    }
    expect(USAGE).toContain('--enable-cors-header [ORIGIN]');
    expect(USAGE).toContain('--port N');
    expect(USAGE).toContain('--preview-method none|auto|latent2rgb|vae');
    expect(USAGE).toContain('--set NODE_ID.INPUT=VALUE …');
  });
});

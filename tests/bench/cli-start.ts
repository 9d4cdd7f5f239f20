/**
 * The command line's start-up: wall time of `inkgraph --help`, and of `inkgraph run` on the default workflow less
 * the engine's own time for the job (the work itself), from the compiled dist/ and from the sources through tsx.
 * Run: npm run bench:cli [-- RUNS]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'inkgraph.js');
const workflow = join(root, 'workflows', 'text-to-image.json');
const RUNS = Number(process.argv[2] ?? 7);

interface Sample {
  readonly wallMs: number;
  readonly engineMs: number | undefined;
}

function invoke(args: readonly string[], fromSource: boolean, cwd: string): Sample {
  const env = { ...process.env };
  if (fromSource) env.INKGRAPH_FROM_SOURCE = '1';
  else delete env.INKGRAPH_FROM_SOURCE;
  const started = performance.now();
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8' });
  const wallMs = performance.now() - started;
  if (result.status !== 0) throw new Error(`inkgraph ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const engine = /, ([\d.]+)s in the engine\)/.exec(result.stderr);
  return { wallMs, engineMs: engine ? Number(engine[1]) * 1000 : undefined };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const ms = (value: number): string => `${value.toFixed(0)} ms`;

const cwd = mkdtempSync(join(tmpdir(), 'inkgraph-bench-cli-'));
try {
  const modes = existsSync(join(root, 'dist', 'server', 'cli', 'main.js'))
    ? [false, true]
    : (console.log('no dist/ (npm run build): sources only'), [true]);
  for (const fromSource of modes) {
    const label = fromSource ? 'sources through tsx' : 'compiled dist/';
    // One unmeasured start of each warms the disk cache.
    invoke(['--help'], fromSource, cwd);
    const help = Array.from({ length: RUNS }, () => invoke(['--help'], fromSource, cwd).wallMs);
    const runs: Sample[] = [];
    for (let run = 0; run <= RUNS; run++) {
      const sample = invoke(['run', workflow, '--out', join(cwd, 'out')], fromSource, cwd);
      if (run > 0) runs.push(sample);
    }
    const overhead = runs.map((sample) => sample.wallMs - (sample.engineMs ?? 0));
    console.log(
      `${label}: --help ${ms(median(help))} (min ${ms(Math.min(...help))}); ` +
        `run ${ms(median(runs.map((sample) => sample.wallMs)))}, engine ${ms(median(runs.map((sample) => sample.engineMs ?? 0)))}, ` +
        `outside the work ${ms(median(overhead))} (min ${ms(Math.min(...overhead))}); medians of ${RUNS}`,
    );
  }
} finally {
  rmSync(cwd, { recursive: true, force: true });
}

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeEnvironment } from '../../nodes/contract/node-context.js';

/** A fresh set of folders for one test file; `cleanup` removes them. */
export function makeTestEnv(
  prefix = 'inkgraph-test-',
): NodeEnvironment & { root: string; workflowsDir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const env = {
    root,
    inputDir: join(root, 'input'),
    outputDir: join(root, 'output'),
    tempDir: join(root, 'temp'),
    modelsDir: join(root, 'models'),
    workflowsDir: join(root, 'workflows'),
  };
  for (const dir of [env.inputDir, env.outputDir, env.tempDir, env.modelsDir, env.workflowsDir])
    mkdirSync(dir, { recursive: true });
  return { ...env, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

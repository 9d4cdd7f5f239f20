import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allNodes } from '../../nodes/index.js';

/** Every shipped node runs in at least one workflow through a real server (integration or end-to-end tests). */

const testsRoot = resolve(import.meta.dirname, '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('workflow coverage', () => {
  it('every node’s class_type is queued by some integration or end-to-end test', () => {
    const text = ['integration', 'e2e']
      .flatMap((folder) => filesUnder(join(testsRoot, folder)))
      .map((path) => readFileSync(path, 'utf8'))
      .join('\n');
    const queued = (classType: string): boolean =>
      new RegExp(`class_type['"]?\\s*:\\s*['"]${classType}['"]`).test(text);
    expect(allNodes.map((node) => node.classType).filter((classType) => !queued(classType))).toEqual([]);
  });
});

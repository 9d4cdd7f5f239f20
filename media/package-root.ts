import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Whether this code is the bundled dist/ (`.js`, what `bin/inkgraph.js` runs once `npm run build` made it) or the
 * TypeScript sources (run through tsx or vitest). Every file of a process is the one or the other.
 */
export const COMPILED: boolean = import.meta.url.endsWith('.js');

function isInkgraphRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
  return typeof parsed === 'object' && parsed !== null && 'name' in parsed && parsed.name === 'inkgraph';
}

/**
 * The folder Inkgraph is installed in (package.json, models/, workflows/): the nearest folder above this file whose
 * package.json is Inkgraph's. Searched, not counted, because the bundler puts this code in whichever chunk it likes.
 */
function findPackageRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (isInkgraphRoot(dir)) return dir;
    if (dirname(dir) === dir) throw new Error(`no Inkgraph package.json above ${start}`);
  }
}

export const PACKAGE_ROOT: string = findPackageRoot();

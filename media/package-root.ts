import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Whether this code is the compiled dist/ (`.js`, what `bin/inkgraph.js` runs once `npm run build` made it) or the
 * TypeScript sources (run through tsx or vitest). Every file of a process is the one or the other.
 */
export const COMPILED: boolean = import.meta.url.endsWith('.js');

/** The folder Inkgraph is installed in (package.json, models/, workflows/): above media/, and above dist/ too. */
export const PACKAGE_ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), COMPILED ? '../..' : '..');

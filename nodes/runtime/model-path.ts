import { join } from 'node:path';
import { resolveInside } from '../../media/safe-path.js';

/** The path of a model chosen in a node's combo, kept inside models/<folder>; a bad name throws naming the field. */
export function modelPath(modelsDir: string, folder: string, name: string, field: string): string {
  const path = resolveInside(join(modelsDir, folder), name);
  if (!path.ok) throw new Error(`${field}: ${path.reason}`);
  return path.value;
}

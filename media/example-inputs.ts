import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './package-root.js';

const ASSETS = join(PACKAGE_ROOT, 'workflows', 'assets');

/** Puts the shipped example input images into an input folder that lacks them, as ComfyUI ships input/example.png. */
export function seedExampleInputs(inputDir: string): void {
  mkdirSync(inputDir, { recursive: true });
  for (const name of ['example.png']) {
    const target = join(inputDir, name);
    if (!existsSync(target) && existsSync(join(ASSETS, name))) copyFileSync(join(ASSETS, name), target);
  }
}

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

export function hasImageExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** Files under a folder (up to `maxDepth` folders down), as sorted relative paths with '/'; hidden files skipped. */
export function listFiles(folder: string, keep: (name: string) => boolean = () => true, maxDepth = 4): string[] {
  if (!existsSync(folder)) return [];
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory() && depth < maxDepth) walk(full, depth + 1);
      else if (entry.isFile() && keep(entry.name)) found.push(relative(folder, full).split('\\').join('/'));
    }
  };
  walk(folder, 0);
  return found.sort();
}

/** Image files under a folder, as relative paths with '/', sorted; hidden files and temporaries skipped. */
export function listImageFiles(folder: string): string[] {
  return listFiles(folder, hasImageExtension);
}

export function sha256OfFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function fileExists(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

import { closeSync, fsyncSync, openSync } from 'node:fs';

export function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync of a folder, so the files created or renamed in it stay so after a power cut (Windows has no such call). */
export function syncFolder(path: string): void {
  if (process.platform === 'win32') return;
  syncFile(path);
}

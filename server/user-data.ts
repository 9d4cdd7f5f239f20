import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveInside } from '../media/safe-path.js';
import { err, type Result } from '../shared/result.js';

/** ComfyUI without --multi-user keeps everything under one user, "default" (app/user_manager.py). */
export const DEFAULT_USER = 'default';
/** The settings file in the user's folder (app/app_settings.py). */
export const SETTINGS_FILE = 'comfy.settings.json';
/** A recursive listing goes no deeper than this, so a pathological tree cannot hold up the server. */
const MAX_LIST_DEPTH = 32;

/** The default user's folder: `<dataDir>/user/default`, as ComfyUI's `user/default`. */
export function userRoot(dataDir: string): string {
  return resolve(dataDir, 'user', DEFAULT_USER);
}

/**
 * A `/userdata` path (one URL segment, already decoded once by the router) inside the user's folder. ComfyUI
 * decodes it again when it still holds a '%' (clients that encode twice); the result must stay inside and must
 * name something below the folder, not the folder itself (unless `folder`: a listing may ask for the top).
 */
export function userDataPath(
  root: string,
  raw: string,
  field: string,
  options: { readonly folder?: boolean } = {},
): Result<string> {
  if (raw === '') return err(`${field} is required`);
  let decoded = raw;
  if (raw.includes('%')) {
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return err(`${field} is not a valid URL-encoded path`);
    }
  }
  const path = resolveInside(root, decoded);
  if (!path.ok) return err(`${field}: ${path.reason}`);
  if (!options.folder && path.value === resolve(root)) return err(`${field} must name a file inside the user folder`);
  return path;
}

/** `full_info` entries, as ComfyUI's `get_file_info`: times in whole milliseconds. */
export interface UserFileInfo {
  readonly path: string;
  readonly size: number;
  readonly modified: number;
  readonly created: number;
}

export function userFileInfo(path: string, relativePath: string): UserFileInfo {
  const stat = statSync(path);
  return {
    path: relativePath,
    size: stat.size,
    modified: Math.floor(stat.mtimeMs),
    created: Math.floor(stat.ctimeMs),
  };
}

export interface ListOptions {
  readonly recurse: boolean;
  readonly fullInfo: boolean;
  readonly split: boolean;
}

/**
 * `GET /userdata?dir=`: the files in `folder` (and below it with `recurse`) as paths relative to it with '/',
 * sorted. Hidden files and folders are left out, as Python's glob leaves them out; so are symbolic links.
 * `full_info` gives `UserFileInfo`s; `split` (without `full_info`) gives `[path, ...path.split('/')]`.
 */
export function listUserData(folder: string, options: ListOptions): (string | string[] | UserFileInfo)[] {
  const found: string[] = [];
  const walk = (dir: string, prefix: string, depth: number): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isFile()) found.push(relative);
      else if (entry.isDirectory() && options.recurse && depth < MAX_LIST_DEPTH)
        walk(join(dir, entry.name), relative, depth + 1);
    }
  };
  walk(folder, '', 0);
  found.sort();
  return found.map((relative) => {
    if (options.fullInfo) return userFileInfo(join(folder, relative), relative);
    return options.split ? [relative, ...relative.split('/')] : relative;
  });
}

/** What `GET /userdata/{file}` sends it as: never anything a browser would run in the app's origin. */
export function userDataContentType(root: string, path: string): { type: string; disposition: string } {
  // The one file ComfyUI serves inline: the user's stylesheet at the folder's top.
  if (path === join(resolve(root), 'user.css')) return { type: 'text/css', disposition: 'inline' };
  const extension = /\.[^./]+$/.exec(path)?.[0].toLowerCase() ?? '';
  const safe: Readonly<Record<string, string>> = {
    '.json': 'application/json',
    '.txt': 'text/plain',
    '.png': 'image/png',
    '.jpg': 'image/jpeg',
    '.jpeg': 'image/jpeg',
    '.webp': 'image/webp',
  };
  return {
    type: Object.hasOwn(safe, extension) ? safe[extension]! : 'application/octet-stream',
    disposition: 'attachment',
  };
}

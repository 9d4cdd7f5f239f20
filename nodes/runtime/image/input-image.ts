import { readFileSync } from 'node:fs';
import type { NodeEnvironment } from '../../contract/node-context.js';
import { decodeImage, type DecodedImage } from '../../../media/decode-image.js';
import { fileExists, sha256OfFile } from '../../../media/image-files.js';
import { resolveInside } from '../../../media/safe-path.js';
import { err, type Result } from '../../../shared/result.js';

/** Reading an image a node names in the input folder (LoadImage, LoadImageMask): one lookup, one set of limits. */

/** The path of an image in the input folder, if it is there. */
export function inputImageFile(inputDir: string, name: string): Result<string> {
  const resolved = resolveInside(inputDir, name);
  if (!resolved.ok) return resolved;
  if (!fileExists(resolved.value)) return err(`Invalid image file: ${name}`);
  return resolved;
}

/** The node's `validate` hook: why the named image cannot be loaded, if it cannot. */
export function inputImageProblem(name: string | undefined, env: NodeEnvironment): string | undefined {
  if (name === undefined) return undefined;
  const file = inputImageFile(env.inputDir, name);
  return file.ok ? undefined : file.reason;
}

/** The node's `fingerprint` hook: the file's hash, so a changed file runs the node again. */
export function inputImageFingerprint(name: string | undefined, env: NodeEnvironment): string {
  if (name === undefined) return '';
  const file = inputImageFile(env.inputDir, name);
  return file.ok ? sha256OfFile(file.value) : 'missing';
}

/**
 * Reads and decodes the named image with the environment's limits (the same as uploads: a file put in the input
 * folder by hand is checked from its header before pixels are allocated).
 */
export function readInputImage(name: string, env: NodeEnvironment): Result<DecodedImage> {
  const file = inputImageFile(env.inputDir, name);
  if (!file.ok) return file;
  const decoded = decodeImage(readFileSync(file.value), env.imageLimits);
  return decoded.ok ? decoded : err(`${name}: ${decoded.reason}`);
}

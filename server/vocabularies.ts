import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelVocabularySchema, type ModelVocabularies } from '../shared/model-vocabulary.js';

/** The `vocabulary.json` of every diffusion model folder that has one; a malformed file is skipped and logged. */
export function readVocabularies(diffusionDir: string, log: (line: string) => void): ModelVocabularies {
  const vocabularies: ModelVocabularies = {};
  if (!existsSync(diffusionDir)) return vocabularies;
  for (const entry of readdirSync(diffusionDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const file = join(diffusionDir, entry.name, 'vocabulary.json');
    if (!existsSync(file)) continue;
    let parsed;
    try {
      parsed = modelVocabularySchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    } catch (error) {
      log(
        `${file}: not JSON (${error instanceof Error ? error.message : String(error)}); its vocabulary is not offered`,
      );
      continue;
    }
    if (parsed.success) vocabularies[entry.name] = parsed.data;
    else
      log(
        `${file}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}; its vocabulary is not offered`,
      );
  }
  return vocabularies;
}

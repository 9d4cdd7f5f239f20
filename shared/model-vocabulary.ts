import { z } from 'zod';

/**
 * `vocabulary.json` beside a diffusion model: the words its prompts were trained on, in English and Chinese
 * (Inkgraph's embedded model publishes one). The server collects them; the editor offers them under a prompt.
 */
const bilingualWordSchema = z.object({ en: z.string().min(1), zh: z.string().min(1) });

export const modelVocabularySchema = z.object({
  objects: z.array(bilingualWordSchema.extend({ emoji: z.string().optional() })),
  colours: z.array(bilingualWordSchema),
  sizes: z.array(bilingualWordSchema),
  positions: z.array(bilingualWordSchema),
  /** Trigger words of the model's LoRAs (models/loras/<lora>): they work with that LoRA loaded. */
  styles: z.array(bilingualWordSchema.extend({ lora: z.string().min(1) })).optional(),
  /** Every word its training captions hold, per language: the editor names a prompt's other words (prompt-words.ts). */
  words: z.object({ en: z.array(z.string().min(1)), zh: z.array(z.string().min(1)) }).optional(),
});
export type ModelVocabulary = z.infer<typeof modelVocabularySchema>;

/** `GET /api/vocabularies`: by diffusion model name (the checkpoint loader's `ckpt_name`). */
export const modelVocabulariesSchema = z.record(z.string(), modelVocabularySchema);
export type ModelVocabularies = z.infer<typeof modelVocabulariesSchema>;

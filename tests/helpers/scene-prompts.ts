import { z } from 'zod';

/**
 * Held-out-style prompts for the shipped emoji model, phrased as its training recipe phrases them
 * (`training/inkgraph_train/scenes.py`, `full_caption`: every attribute stated, the first template of each
 * language), from the vocabulary the model publishes (`vocabulary.json`). Pure: the same seed, the same prompts.
 */

const named = z.object({ en: z.string(), zh: z.string() });
export const vocabularySchema = z.object({
  objects: z.array(named.extend({ id: z.number().int() })),
  colours: z.array(named.extend({ rgb: z.tuple([z.number(), z.number(), z.number()]) })),
  sizes: z.array(named),
  positions: z.array(named),
});
export type Vocabulary = z.infer<typeof vocabularySchema>;

export type Language = 'en' | 'zh';

/** One object: `size` 0 small, 1 large; `position` a 3×3 grid cell, row-major (0 top left … 8 bottom right). */
export interface SingleScene {
  readonly kind: 'single';
  readonly object: number;
  readonly colour: number;
  readonly size: number;
  readonly position: number;
}

/** Two objects side by side (`beside`: first on the left) or stacked (`above`: first on top). */
export interface PairScene {
  readonly kind: 'pair';
  readonly objects: readonly [number, number];
  readonly colour: number;
  readonly relation: 'beside' | 'above';
}

export type Scene = SingleScene | PairScene;

export interface ScenePrompt {
  readonly scene: Scene;
  readonly language: Language;
  readonly text: string;
  readonly seed: number;
}

/** The recipe's caption of a scene with every attribute stated. */
export function caption(scene: Scene, language: Language, vocabulary: Vocabulary): string {
  const colour = vocabulary.colours[scene.colour]!;
  if (scene.kind === 'pair') {
    const [a, b] = scene.objects.map((id) => vocabulary.objects[id]!);
    if (language === 'en') {
      const body =
        scene.relation === 'beside'
          ? `a ${a!.en} on the left and a ${b!.en} on the right`
          : `a ${a!.en} above a ${b!.en}`;
      return `${body}, ${colour.en} background`;
    }
    const body = scene.relation === 'beside' ? `左边是${a!.zh}，右边是${b!.zh}` : `${a!.zh}在${b!.zh}上面`;
    return `${body}，${colour.zh}背景`;
  }
  const object = vocabulary.objects[scene.object]!;
  const size = vocabulary.sizes[scene.size]!;
  const position = vocabulary.positions[scene.position]!;
  if (language === 'en') return `a ${size.en} ${object.en} ${position.en} on a ${colour.en} background`;
  return `${colour.zh}背景上${position.zh}的${size.zh}${object.zh}`;
}

/** mulberry32: a small seeded generator of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One single-object scene per object of the vocabulary (colour, size and position drawn from `seed`), then
 * `pairs` two-object scenes of distinct objects; each scene in English and then in Chinese, every prompt with its
 * own sampling seed.
 */
export function benchPrompts(vocabulary: Vocabulary, pairs: number, seed: number): ScenePrompt[] {
  const random = seededRandom(seed);
  const pick = (count: number): number => Math.floor(random() * count);
  const scenes: Scene[] = vocabulary.objects.map((_, object) => ({
    kind: 'single',
    object,
    colour: pick(vocabulary.colours.length),
    size: pick(vocabulary.sizes.length),
    position: pick(vocabulary.positions.length),
  }));
  for (let i = 0; i < pairs; i++) {
    const a = pick(vocabulary.objects.length);
    const b = (a + 1 + pick(vocabulary.objects.length - 1)) % vocabulary.objects.length;
    scenes.push({
      kind: 'pair',
      objects: [a, b],
      colour: pick(vocabulary.colours.length),
      relation: random() < 0.5 ? 'beside' : 'above',
    });
  }
  return scenes.flatMap((scene) =>
    (['en', 'zh'] as const).map((language) => ({
      scene,
      language,
      text: caption(scene, language, vocabulary),
      seed: pick(2 ** 31),
    })),
  );
}

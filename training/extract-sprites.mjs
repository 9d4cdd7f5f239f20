// Extracts the 48 scene objects from the emoji packages (Twemoji CC-BY 4.0, Noto Apache-2.0; never Apple or
// Facebook) with their Chinese names from CLDR (locale zh), into training/data/, and the objects the base model never
// saw, which a LoRA teaches it (adapters.py --stage lora-object; ids after the 48). Run: npm --prefix training run extract
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, 'node_modules');
const out = join(here, 'data');

/** The objects: English name → emoji code point sequence (as in emoji.json's `unified`). */
const OBJECTS = [
  ['apple', '1F34E'], ['banana', '1F34C'], ['strawberry', '1F353'], ['grapes', '1F347'], ['watermelon', '1F349'], ['carrot', '1F955'],
  ['pizza', '1F355'], ['burger', '1F354'], ['donut', '1F369'], ['mushroom', '1F344'], ['cat', '1F431'], ['dog', '1F436'],
  ['frog', '1F438'], ['pig', '1F437'], ['panda', '1F43C'], ['penguin', '1F427'], ['octopus', '1F419'], ['butterfly', '1F98B'],
  ['fish', '1F41F'], ['tree', '1F333'], ['cactus', '1F335'], ['sunflower', '1F33B'], ['tulip', '1F337'], ['sun', '2600-FE0F'],
  ['moon', '1F319'], ['star', '2B50'], ['cloud', '2601-FE0F'], ['snowflake', '2744-FE0F'], ['rainbow', '1F308'], ['lightning', '26A1'],
  ['fire', '1F525'], ['rocket', '1F680'], ['car', '1F697'], ['house', '1F3E0'], ['airplane', '2708-FE0F'], ['sailboat', '26F5'],
  ['bicycle', '1F6B2'], ['umbrella', '2602-FE0F'], ['soccer ball', '26BD'], ['basketball', '1F3C0'], ['crown', '1F451'], ['heart', '2764-FE0F'],
  ['ghost', '1F47B'], ['balloon', '1F388'], ['gift', '1F381'], ['light bulb', '1F4A1'], ['guitar', '1F3B8'], ['trophy', '1F3C6'],
];

/** Taught by a LoRA: English name, code points, the LoRA file (models/loras/) that knows it. */
const LORA_OBJECTS = [['owl', '1F989', 'inkgraph-emoji-owl.safetensors']];

const STYLES = [
  { style: 'twitter', package: 'emoji-datasource-twitter', license: 'CC-BY 4.0', attribution: 'Twemoji by Twitter, Inc and other contributors (https://github.com/twitter/twemoji), CC-BY 4.0' },
  { style: 'google', package: 'emoji-datasource-google', license: 'Apache-2.0', attribution: 'Noto Emoji by Google (https://github.com/googlefonts/noto-emoji), Apache License 2.0' },
];

const annotations = JSON.parse(readFileSync(join(modules, 'cldr-annotations-full', 'annotations', 'zh', 'annotations.json'), 'utf8')).annotations.annotations;
const chars = (unified) => String.fromCodePoint(...unified.split('-').map((hex) => Number.parseInt(hex, 16)));

const named = (id, english, unified) => {
  const emoji = chars(unified);
  const annotation = annotations[emoji] ?? annotations[emoji.replace('\uFE0F', '')];
  if (!annotation) throw new Error(`no CLDR zh annotation for ${english} (${unified})`);
  return { id, en: english, zh: annotation.tts[0], unified, emoji };
};
const objects = OBJECTS.map(([english, unified], id) => named(id, english, unified));
const loraObjects = LORA_OBJECTS.map(([english, unified, lora], index) => ({ ...named(OBJECTS.length + index, english, unified), lora }));

for (const source of STYLES) {
  const data = JSON.parse(readFileSync(join(modules, source.package, 'emoji.json'), 'utf8'));
  const dir = join(out, 'sprites', source.style);
  mkdirSync(dir, { recursive: true });
  for (const object of [...objects, ...loraObjects]) {
    const entry = data.find((candidate) => candidate.unified === object.unified);
    if (!entry || !entry[`has_img_${source.style}`]) throw new Error(`${source.package} has no image for ${object.en} (${object.unified})`);
    copyFileSync(join(modules, source.package, 'img', source.style, '64', entry.image), join(dir, `${String(object.id).padStart(2, '0')}.png`));
  }
}

writeFileSync(join(out, 'objects.json'), `${JSON.stringify({ objects, lora_objects: loraObjects, sources: STYLES }, null, 2)}\n`);
console.log(`extracted ${objects.length} + ${loraObjects.length} objects × ${STYLES.length} styles into ${out}`);

// The 48 scene objects at 256 px from the same two emoji designs as training/data/sprites (Twemoji CC-BY 4.0, Noto
// Apache-2.0), rendered from their SVG sources (Iconify's packages) with resvg, into training/data/sprites-256/.
// They give the 4× upscaler true 256² scenes to learn from and be measured against. Run: npm --prefix training run extract-hires
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, 'node_modules');
const SIZE = 256;
const STYLES = [
  { style: 'twitter', package: '@iconify-json/twemoji' },
  { style: 'google', package: '@iconify-json/noto' },
];

const { objects } = JSON.parse(readFileSync(join(here, 'data', 'objects.json'), 'utf8'));
for (const source of STYLES) {
  const chars = JSON.parse(readFileSync(join(modules, source.package, 'chars.json'), 'utf8'));
  const set = JSON.parse(readFileSync(join(modules, source.package, 'icons.json'), 'utf8'));
  const folder = join(here, 'data', 'sprites-256', source.style);
  mkdirSync(folder, { recursive: true });
  for (const object of objects) {
    const code = object.unified.toLowerCase();
    const name = chars[code] ?? chars[code.replace(/-fe0f$/, '')];
    const icon = name && set.icons[name];
    if (!icon) throw new Error(`${source.package} has no icon for ${object.en} (${object.unified})`);
    const width = icon.width ?? set.width ?? 16;
    const height = icon.height ?? set.height ?? 16;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${icon.left ?? 0} ${icon.top ?? 0} ${width} ${height}" width="${width}" height="${height}">${icon.body}</svg>`;
    const png = new Resvg(svg, { fitTo: { mode: 'width', value: SIZE }, background: 'rgba(0,0,0,0)' }).render().asPng();
    writeFileSync(join(folder, `${String(object.id).padStart(2, '0')}.png`), png);
  }
  console.log(`${source.style}: ${objects.length} sprites at ${SIZE} px in ${folder}`);
}

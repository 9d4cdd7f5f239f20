import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../media/decode-image.js';
import { readPngText } from '../../media/png.js';
import { apiPromptSchema, type ApiPrompt } from '../../shared/workflow.js';
import { makeTestEnv } from '../helpers/env.js';
import { FIXTURE_MODELS, FIXTURE_VARIANTS, textToImage } from '../helpers/diffusion.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'inkgraph.js');
const dirs = makeTestEnv('inkgraph-cli-');
afterAll(() => dirs.cleanup());

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: dirs.root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('inkgraph CLI', () => {
  it('runs a shipped workflow, writes PNGs with the embedded workflow, and prints them', async () => {
    const out = join(dirs.root, 'out');
    const result = await cli([
      'run',
      join(root, 'workflows', 'invert-image.json'),
      '--out',
      out,
      '--set',
      '2.width=64',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(join(out, 'inverted_00001_.png'));
    expect(result.stderr).toMatch(/Done in/);
    const text = readPngText(readFileSync(join(out, 'inverted_00001_.png')));
    expect(apiPromptSchema.parse(JSON.parse(text.prompt!))['2']!.inputs.width).toBe(64);
    const inkgraph = JSON.parse(text.inkgraph!) as { prompt: ApiPrompt };
    expect(inkgraph.prompt['4']!.class_type).toBe('SaveImage');
    // ComfyUI's own chunk, in its UI format, so ComfyUI opens the image with its layout.
    const litegraph = JSON.parse(text.workflow!) as { version: number; nodes: { type: string }[]; links: unknown[] };
    expect(litegraph.version).toBe(0.4);
    expect(litegraph.nodes.map((node) => node.type)).toEqual(['LoadImage', 'ImageScale', 'ImageInvert', 'SaveImage']);
    expect(litegraph.links).toHaveLength(3);
    // It reads the workflow back out of the PNG it wrote.
    const again = await cli(['validate', join(out, 'inverted_00001_.png')]);
    expect(again.code).toBe(0);
    expect(readdirSync(out)).toEqual(['inverted_00001_.png']);
  });

  it('exits non-zero with readable per-node errors on a bad workflow', async () => {
    const result = await cli([
      'validate',
      join(root, 'workflows', 'invert-image.json'),
      '--set',
      '2.width=99999',
      '--set',
      '2.upscale_method="magic"',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('#2 ImageScale (Upscale Image) · width: Value 99999 bigger than max of 16384');
    const missing = await cli(['run', join(root, 'workflows', 'invert-image.json'), '--set', '9.width=1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('the workflow has no node 9');
    writeFileSync(join(dirs.root, 'bad.json'), '{"1": {"inputs": {}}}');
    const bad = await cli(['run', join(dirs.root, 'bad.json')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('1.class_type');
    const usage = await cli(['frobnicate']);
    expect(usage.code).toBe(2);
    const badServe = await cli(['serve', '--port', '12x', '--preview-method', 'bogus']);
    expect(badServe.code).toBe(2);
    expect(badServe.stderr).toContain('--port must be an integer ≥ 0, got "12x"');
    expect(badServe.stderr).toContain('--preview-method must be one of none, auto, latent2rgb, vae');
  });

  it('warns of prompt words the embedded model was not trained on, and still validates', async () => {
    const workflow = join(root, 'workflows', 'text-to-image.json');
    const plain = await cli(['validate', workflow]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).not.toContain('warning:');
    const unknown = await cli([
      'validate',
      workflow,
      '--set',
      '6.text=a tiny cat, upper left',
      '--set',
      '7.text=很模糊',
    ]);
    expect(unknown.code, unknown.stderr).toBe(0);
    expect(unknown.stderr).toContain(
      'warning: node #6 (CLIPTextEncode) text: unknown to inkgraph-emoji, so ignored: tiny, upper',
    );
    expect(unknown.stderr).toContain(
      'warning: node #7 (CLIPTextEncode) text: unknown to inkgraph-emoji, so ignored: 很模糊',
    );
  });

  it("runs a workflow saved in ComfyUI's UI format", async () => {
    const { toLitegraph } = await import('../../shared/litegraph-export.js');
    const { buildObjectInfo } = await import('../../nodes/object-info.js');
    const { createRegistry } = await import('../../nodes/index.js');
    const { parseWorkflowDocument } = await import('../../shared/workflow.js');
    const document = parseWorkflowDocument(
      JSON.parse(readFileSync(join(root, 'workflows', 'invert-image.json'), 'utf8')),
    );
    if (!document.ok) throw new Error(document.reason);
    const objectInfo = buildObjectInfo(createRegistry(), {
      inputDir: dirs.inputDir,
      outputDir: dirs.outputDir,
      tempDir: dirs.tempDir,
      modelsDir: dirs.modelsDir,
    });
    writeFileSync(join(dirs.root, 'comfy-ui.json'), JSON.stringify(toLitegraph(document.value.envelope, objectInfo)));
    const result = await cli(['run', join(dirs.root, 'comfy-ui.json'), '--out', join(dirs.root, 'ui-out')]);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(join(dirs.root, 'ui-out'))).toEqual(['inverted_00001_.png']);
  });

  it('reports a node that fails at run time, naming it', async () => {
    writeFileSync(join(dirs.inputDir, 'broken.png'), 'not an image');
    const workflow = JSON.parse(readFileSync(join(root, 'workflows', 'invert-image.json'), 'utf8')) as {
      prompt: Record<string, { inputs: Record<string, unknown> }>;
    };
    workflow.prompt['1']!.inputs.image = 'broken.png';
    writeFileSync(join(dirs.root, 'broken.json'), JSON.stringify(workflow));
    const result = await cli([
      'run',
      join(dirs.root, 'broken.json'),
      '--input',
      dirs.inputDir,
      '--out',
      join(dirs.root, 'o2'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error in #1 LoadImage (Load Image)');
  });
});

describe('inkgraph run on a text-to-image workflow', () => {
  it('generates with each fixture variant, identically for the same seed', async () => {
    writeFileSync(join(dirs.root, 't2i.json'), JSON.stringify(textToImage({ steps: 4, prefix: 'cli-t2i' })));
    const out = join(dirs.root, 't2i-out');
    for (const variant of FIXTURE_VARIANTS) {
      const result = await cli([
        'run',
        join(dirs.root, 't2i.json'),
        '--models',
        FIXTURE_MODELS,
        '--out',
        out,
        '--set',
        `4.ckpt_name="${variant}"`,
        '--preview-method',
        'latent2rgb',
      ]);
      expect(result.code, result.stderr).toBe(0);
    }
    const again = await cli([
      'run',
      join(dirs.root, 't2i.json'),
      '--models',
      FIXTURE_MODELS,
      '--out',
      out,
      '--set',
      '4.ckpt_name=tiny-sd-fp32',
    ]);
    expect(again.code).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(FIXTURE_VARIANTS.length + 1);
    const first = decodeImage(readFileSync(join(out, files[0]!)));
    const last = decodeImage(readFileSync(join(out, files.at(-1)!)));
    expect(
      first.ok && last.ok && Buffer.from(first.value.raster.data).equals(Buffer.from(last.value.raster.data)),
    ).toBe(true);
  });
});

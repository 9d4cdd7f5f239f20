import { describe, expect, it } from 'vitest';
import { runSettings } from '../../client/src/execution/run-settings.js';
import {
  openAt,
  runDocument,
  runOfImage,
  step,
  togglePick,
  viewerSequence,
} from '../../client/src/execution/viewer-runs.js';
import {
  fit,
  fitScale,
  panBy,
  pixelated,
  toggleActualSize,
  wheelZoom,
  zoomTo,
  dividerAt,
} from '../../client/src/graph/image-view.js';
import type { HistoryEntry, UiImageRef } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';

/** The output viewer's pure parts: a run's settings, the order ←/→ step in, zoom about the cursor. */

const saved = (filename: string): UiImageRef => ({ filename, subfolder: '', type: 'output' });

/** The shipped default workflow, as queued. */
const DEFAULT: ApiPrompt = {
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'inkgraph-emoji' } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a small rocket on the left', clip: ['4', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 2 } },
  '3': {
    class_type: 'KSampler',
    inputs: {
      seed: 42,
      steps: 20,
      cfg: 5,
      sampler_name: 'euler',
      scheduler: 'normal',
      denoise: 1,
      model: ['4', 0],
      positive: ['6', 0],
      negative: ['7', 0],
      latent_image: ['5', 0],
    },
  },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'inkgraph', images: ['8', 0] } },
};

function entry(promptId: string, prompt: ApiPrompt, outputs: HistoryEntry['outputs'], extra = {}): HistoryEntry {
  return {
    prompt: [0, promptId, prompt, { extra_pnginfo: extra }, ['9']],
    outputs,
    status: { status_str: 'success', completed: true, messages: [] },
    meta: {},
  };
}

describe('runSettings', () => {
  it("reads the sampler's seed and settings, both prompts, the latent's size and the model", () => {
    expect(runSettings(DEFAULT, '9')).toEqual({
      sampler: { id: '3', classType: 'KSampler' },
      positive: ['a small rocket on the left'],
      negative: ['blurry'],
      texts: [],
      seed: 42,
      steps: 20,
      cfg: 5,
      samplerName: 'euler',
      scheduler: 'normal',
      denoise: 1,
      width: 64,
      height: 64,
      batchSize: 2,
      model: 'inkgraph-emoji',
    });
  });

  it('follows conditioning through combiners and text and seeds through primitive nodes', () => {
    const prompt: ApiPrompt = {
      ...DEFAULT,
      '20': { class_type: 'PromptText', inputs: { value: 'a red star' } },
      '21': { class_type: 'CLIPTextEncode', inputs: { text: ['20', 0], clip: ['4', 1] } },
      '22': { class_type: 'ConditioningCombine', inputs: { conditioning_1: ['6', 0], conditioning_2: ['21', 0] } },
      '23': { class_type: 'PrimitiveInt', inputs: { value: 7 } },
      '3': { ...DEFAULT['3']!, inputs: { ...DEFAULT['3']!.inputs, positive: ['22', 0], seed: ['23', 0] } },
    };
    const settings = runSettings(prompt, '9');
    expect(settings.positive).toEqual(['a small rocket on the left', 'a red star']);
    expect(settings.seed).toBe(7);
  });

  it('reads the sampler nearest the output: the second pass of a two-sampler graph', () => {
    const prompt: ApiPrompt = {
      ...DEFAULT,
      '30': { class_type: 'LatentUpscale', inputs: { samples: ['3', 0], width: 128, height: 128 } },
      '31': {
        class_type: 'KSamplerAdvanced',
        inputs: { ...DEFAULT['3']!.inputs, noise_seed: 99, seed: undefined, steps: 8, latent_image: ['30', 0] },
      },
      '8': { class_type: 'VAEDecode', inputs: { samples: ['31', 0], vae: ['4', 2] } },
    };
    const settings = runSettings(prompt, '9');
    expect(settings.sampler).toEqual({ id: '31', classType: 'KSamplerAdvanced' });
    expect(settings.seed).toBe(99);
    expect(settings.steps).toBe(8);
    expect([settings.width, settings.height]).toEqual([128, 128]);
    // Without an output node: the sampler no other sampler follows.
    expect(runSettings(prompt).sampler?.id).toBe('31');
  });

  it('reads custom-sampling graphs: the guider’s prompts and cfg, the noise’s seed, the sampler and σ nodes', () => {
    const { '3': ksampler, ...rest } = DEFAULT;
    const advanced: ApiPrompt = {
      ...rest,
      '40': { class_type: 'RandomNoise', inputs: { noise_seed: 1234 } },
      '41': { class_type: 'CFGGuider', inputs: { model: ['4', 0], positive: ['6', 0], negative: ['7', 0], cfg: 4.5 } },
      '42': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'dpmpp_2m' } },
      '43': { class_type: 'BasicScheduler', inputs: { model: ['4', 0], scheduler: 'karras', steps: 12, denoise: 0.8 } },
      '44': { class_type: 'SplitSigmas', inputs: { sigmas: ['43', 0], step: 4 } },
      '3': {
        class_type: 'SamplerCustomAdvanced',
        inputs: {
          noise: ['40', 0],
          guider: ['41', 0],
          sampler: ['42', 0],
          sigmas: ['44', 1],
          latent_image: ksampler!.inputs.latent_image,
        },
      },
    };
    expect(runSettings(advanced, '9')).toEqual({
      ...runSettings(DEFAULT, '9'),
      sampler: { id: '3', classType: 'SamplerCustomAdvanced' },
      seed: 1234,
      steps: 12,
      cfg: 4.5,
      samplerName: 'dpmpp_2m',
      scheduler: 'karras',
      denoise: 0.8,
    });
    const custom: ApiPrompt = {
      ...advanced,
      '45': { class_type: 'SamplerDPMPP_2M_SDE', inputs: { solver_type: 'heun', eta: 1, s_noise: 1 } },
      '46': { class_type: 'KarrasScheduler', inputs: { steps: 9, sigma_max: 14.6, sigma_min: 0.03, rho: 7 } },
      '3': {
        class_type: 'SamplerCustom',
        inputs: {
          model: ['4', 0],
          add_noise: true,
          noise_seed: 77,
          cfg: 6,
          positive: ['6', 0],
          negative: ['7', 0],
          sampler: ['45', 0],
          sigmas: ['46', 0],
          latent_image: ksampler!.inputs.latent_image,
        },
      },
    };
    expect(runSettings(custom, '9')).toMatchObject({
      seed: 77,
      steps: 9,
      cfg: 6,
      samplerName: 'SamplerDPMPP_2M_SDE',
      scheduler: 'KarrasScheduler',
      positive: ['a small rocket on the left'],
      negative: ['blurry'],
      model: 'inkgraph-emoji',
    });
  });

  it('shows what there is in a graph without a sampler', () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'cat.png' } },
      '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
      '9': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'x' } },
    };
    expect(runSettings(prompt, '9')).toEqual({ positive: [], negative: [], texts: [], model: undefined });
    const withText: ApiPrompt = {
      ...prompt,
      '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'm' } },
      '6': { class_type: 'CLIPTextEncode', inputs: { text: 'hello', clip: ['4', 1] } },
    };
    expect(runSettings(withText)).toMatchObject({ texts: ['hello'], model: 'm' });
  });

  it('survives links to missing nodes, cycles and non-numeric values', () => {
    const prompt: ApiPrompt = {
      '1': {
        class_type: 'KSampler',
        inputs: { seed: 'abc', positive: ['2', 0], negative: ['404', 0], steps: ['1', 0] },
      },
      '2': { class_type: 'ConditioningCombine', inputs: { conditioning_1: ['2', 0], conditioning_2: ['1', 0] } },
    };
    const settings = runSettings(prompt, '1');
    expect(settings.seed).toBeUndefined();
    expect(settings.steps).toBeUndefined();
    expect(settings.negative).toEqual([]);
  });
});

describe('the run of an image and its document', () => {
  const entries = [
    entry('p1', DEFAULT, { '9': { images: [saved('a.png'), saved('b.png')] } }, { inkgraph: { version: 1 } }),
    entry('p2', DEFAULT, { '9': { images: [saved('c.png')] } }, { workflow: { nodes: [], links: [] } }),
    entry('p3', DEFAULT, { '9': { images: [saved('d.png')] } }),
  ];

  it('finds the run, its output node and its batch', () => {
    const run = runOfImage(entries, saved('b.png'));
    expect(run?.promptId).toBe('p1');
    expect(run?.nodeId).toBe('9');
    expect(run?.batch.map((image) => image.filename)).toEqual(['a.png', 'b.png']);
    expect(runOfImage(entries, saved('z.png'))).toBeUndefined();
    expect(runOfImage(entries, { filename: 'a.png', subfolder: '', type: 'temp' })).toBeUndefined();
  });

  it("loads Inkgraph's chunk first, else ComfyUI's workflow, else the API prompt", () => {
    expect(runDocument(entries[0]!)).toEqual({ version: 1 });
    expect(runDocument(entries[1]!)).toEqual({ nodes: [], links: [] });
    expect(runDocument(entries[2]!)).toBe(DEFAULT);
  });
});

describe('stepping and picking', () => {
  it("steps through the run's batch first, then the gallery, each image once", () => {
    const gallery = [saved('d.png'), saved('b.png'), saved('a.png'), saved('c.png')];
    const sequence = viewerSequence([saved('a.png'), saved('b.png')], gallery);
    expect(sequence.map((image) => image.filename)).toEqual(['a.png', 'b.png', 'd.png', 'c.png']);
    expect(openAt(sequence, saved('b.png')).index).toBe(1);
    const missing = openAt(sequence, saved('new.png'));
    expect(missing.index).toBe(0);
    expect(missing.images).toHaveLength(5);
  });

  it('stops at either end', () => {
    expect(step(0, -1, 3)).toBe(0);
    expect(step(1, 1, 3)).toBe(2);
    expect(step(2, 1, 3)).toBe(2);
    expect(step(0, 1, 0)).toBe(0);
  });

  it('picks at most two images to compare, a second click unpicking', () => {
    expect(togglePick([], 'a')).toEqual(['a']);
    expect(togglePick(['a'], 'b')).toEqual(['a', 'b']);
    expect(togglePick(['a', 'b'], 'c')).toEqual(['b', 'c']);
    expect(togglePick(['a', 'b'], 'a')).toEqual(['b']);
  });
});

describe('zoom and pan', () => {
  const image = { width: 64, height: 64 };
  const pane = { width: 800, height: 600 };

  it('fits a small image blown up and centred, drawn pixelated', () => {
    const view = fit(image, pane);
    expect(view.scale).toBeCloseTo(600 / 64);
    expect(view.x).toBeCloseTo((800 - 600) / 2);
    expect(view.y).toBeCloseTo(0);
    expect(pixelated(view.scale)).toBe(true);
    expect(pixelated(fitScale({ width: 4000, height: 3000 }, pane))).toBe(false);
  });

  it('zooms about the cursor: the image point under it stays put', () => {
    const view = { scale: 2, x: 100, y: 50 };
    const at = { x: 300, y: 250 };
    const before = { x: (at.x - view.x) / view.scale, y: (at.y - view.y) / view.scale };
    const zoomed = wheelZoom(view, -100, at);
    expect(zoomed.scale).toBeCloseTo(2.4);
    expect((at.x - zoomed.x) / zoomed.scale).toBeCloseTo(before.x);
    expect((at.y - zoomed.y) / zoomed.scale).toBeCloseTo(before.y);
    expect(wheelZoom(view, 100, at).scale).toBeLessThan(2);
    expect(zoomTo(view, 1e9, at).scale).toBe(64);
  });

  it('pans by a drag, and a double-click toggles fit and 1:1', () => {
    expect(panBy({ scale: 1, x: 0, y: 0 }, 5, -3)).toEqual({ scale: 1, x: 5, y: -3 });
    const fitted = fit(image, pane);
    const actual = toggleActualSize(fitted, image, pane, { x: 400, y: 300 });
    expect(actual.scale).toBe(1);
    expect(toggleActualSize(actual, image, pane, { x: 400, y: 300 })).toEqual(fitted);
    // An image that fits at exactly 1:1 goes to 2:1.
    expect(toggleActualSize(fit(pane, pane), pane, pane, { x: 0, y: 0 }).scale).toBe(2);
  });

  it('keeps the divider inside the pane', () => {
    expect(dividerAt(-0.2)).toBe(0);
    expect(dividerAt(0.3)).toBe(0.3);
    expect(dividerAt(1.4)).toBe(1);
  });
});

describe('runSettings across conditioning nodes', () => {
  it('keeps the two sides apart through a node that carries both (InpaintModelConditioning)', () => {
    const prompt: ApiPrompt = {
      ...DEFAULT,
      '40': {
        class_type: 'InpaintModelConditioning',
        inputs: { positive: ['6', 0], negative: ['7', 0], vae: ['4', 2], pixels: ['41', 0], mask: ['42', 0] },
      },
      '3': {
        ...DEFAULT['3']!,
        inputs: { ...DEFAULT['3']!.inputs, positive: ['40', 0], negative: ['40', 1], latent_image: ['40', 2] },
      },
    };
    const settings = runSettings(prompt, '9');
    expect(settings.positive).toEqual(['a small rocket on the left']);
    expect(settings.negative).toEqual(['blurry']);
  });

  it("reads an SDXL encoder's two texts once when they are the same", () => {
    const prompt: ApiPrompt = {
      ...DEFAULT,
      '6': { class_type: 'CLIPTextEncodeSDXL', inputs: { text_g: 'a fox', text_l: 'a fox', clip: ['4', 1] } },
      '7': { class_type: 'CLIPTextEncodeSDXL', inputs: { text_g: 'blur', text_l: 'noise', clip: ['4', 1] } },
    };
    expect(runSettings(prompt, '9').positive).toEqual(['a fox']);
    expect(runSettings(prompt, '9').negative).toEqual(['blur', 'noise']);
  });

  it('reads the settings of a temp preview made from the sampled image', () => {
    const prompt: ApiPrompt = {
      ...DEFAULT,
      '14': { class_type: 'MaskPreview', inputs: { images: ['8', 0], mask: ['13', 0] } },
      '13': { class_type: 'ImageSegment', inputs: { image: ['8', 0], threshold: 0.5 } },
    };
    expect(runSettings(prompt, '14')).toMatchObject({ seed: 42, positive: ['a small rocket on the left'] });
  });
});

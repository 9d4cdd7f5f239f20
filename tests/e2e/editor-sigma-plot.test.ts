import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ApiPrompt } from '../../shared/workflow.js';
import { hasChromium, screenshot } from '../helpers/browser.js';
import { openFreshEditor, useEditorSession } from '../helpers/editor-session.js';

/**
 * A scheduler node shows the σ list it made as a small plot once the workflow has run: BasicScheduler → SamplerCustom
 * on the shipped model, opened from a file and queued with the Run button.
 */

const session = useEditorSession();

const STEPS = 4;

/** ComfyUI's custom-sampling graph in API format, laid out left to right so it fits the screen readably. */
function customSamplingWorkflow(): ApiPrompt {
  const at = (x: number, y: number) => ({ pos: [x, y] as [number, number] });
  return {
    '1': {
      class_type: 'CheckpointLoaderSimple',
      inputs: { ckpt_name: 'inkgraph-emoji' },
      _meta: at(0, 0),
    },
    '2': {
      class_type: 'CLIPTextEncode',
      inputs: { text: 'a large apple in the center on a blue background', clip: ['1', 1] },
      _meta: at(340, 0),
    },
    '3': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['1', 1] }, _meta: at(340, 260) },
    '4': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 }, _meta: at(0, 260) },
    '5': {
      class_type: 'BasicScheduler',
      inputs: { model: ['1', 0], scheduler: 'karras', steps: STEPS, denoise: 1 },
      _meta: at(0, 460),
    },
    '6': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'euler' }, _meta: at(340, 500) },
    '7': {
      class_type: 'SamplerCustom',
      inputs: {
        model: ['1', 0],
        add_noise: true,
        noise_seed: 3,
        cfg: 5,
        positive: ['2', 0],
        negative: ['3', 0],
        sampler: ['6', 0],
        sigmas: ['5', 0],
        latent_image: ['4', 0],
      },
      _meta: at(700, 0),
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['7', 0], vae: ['1', 2] }, _meta: at(1040, 0) },
    '9': { class_type: 'PreviewImage', inputs: { images: ['8', 0] }, _meta: at(1040, 160) },
  };
}

async function openWorkflow(page: Page, prompt: ApiPrompt): Promise<void> {
  await page.waitForSelector('[data-testid="node-3"][data-class="KSampler"]');
  await page.locator('[data-testid="upload-input"]').setInputFiles({
    name: 'custom-sampling.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(prompt)),
  });
  await page.waitForSelector('[data-testid="node-5"][data-class="BasicScheduler"]');
  await page.locator('.react-flow__controls-fitview').click();
}

describe.skipIf(!hasChromium)('the σ plot', () => {
  it('appears on BasicScheduler after the run, with its steps and its first and last σ, in English and Chinese', async () => {
    const page = await openFreshEditor(session);
    await openWorkflow(page, customSamplingWorkflow());
    const plot = page.locator('[data-testid="sigma-plot-5"]');
    expect(await plot.count()).toBe(0);

    await page.locator('[data-testid="run"]').click();
    await page.waitForSelector('[data-testid="output-9"]', { timeout: 120_000 });
    await plot.waitFor();
    // Karras on SD's schedule: σ_max 14.61 down to σ_min, then 0; one point per σ.
    expect(await page.locator('[data-testid="sigma-steps-5"]').textContent()).toBe(`${STEPS} steps`);
    expect(await page.locator('[data-testid="sigma-first-5"]').textContent()).toBe('σ 14.61');
    expect(await page.locator('[data-testid="sigma-last-5"]').textContent()).toBe('σ 0');
    const path = await plot.locator('path').getAttribute('d');
    expect(path?.match(/[ML]/g)).toHaveLength(STEPS + 1);
    expect(await plot.locator('svg').getAttribute('aria-label')).toBe(
      `Noise levels (σ): ${STEPS} steps, from 14.61 to 0`,
    );
    // The curve falls: each point lower on the plot (larger y) than the one before.
    const ys = [...(path ?? '').matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((match) => Number(match[1]));
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
    expect(new Set(ys).size).toBe(ys.length);
    // Nodes that make no σ list show no plot.
    expect(await page.locator('[data-testid^="sigma-plot-"]').count()).toBe(1);
    await screenshot(page, 'sigma-plot-en');

    await page.locator('[data-testid="language"]').selectOption('zh-CN');
    await expect.poll(() => page.locator('[data-testid="sigma-steps-5"]').textContent()).toBe(`${STEPS} 步`);
    expect(await plot.getAttribute('title')).toBe(`噪声水平（σ）：${STEPS} 步，从 14.61 到 0`);
    await screenshot(page, 'sigma-plot-zh');
    await page.context().close();
  });
});

/**
 * The shipped model's release checks under ComfyUI's samplers (issue #17): the five most used samplers at 20
 * steps, CFG 5 (the model card's settings) on held-out-style prompts, judged without the generator as the
 * recipe's evaluator (`training/inkgraph_train/evaluate.py`) judges them; then every other sampler name once over
 * a smaller set, background and place only, so a broken port shows.
 *
 * Prompts: one per object of the model's vocabulary (colour, size and position drawn from a fixed seed) and a few
 * two-object scenes, each in English and Chinese, worded as the recipe's held-out captions (scene-prompts.ts).
 * Checks (scene-measure.ts): the border colour; size (longer side ≥ 30 px) and position (the grid cell nearest the
 * foreground's centre) of the speck-free foreground; count (connected regions of ≥ 20 differing pixels: one for a
 * single-object prompt, two for a pair); identity: the shipped classifier through the workflow's ImageClassify
 * node, whose sidecar crops to the foreground box as the evaluator does (top-1 label = the prompt's object).
 *
 * Run: npm run bench:samplers [-- --samplers euler,uni_pc] [--sweep-only | --no-sweep] [--limit N]
 *      [--scheduler karras] [--steps 40] (the sweep's, for looking into a sampler)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { decodeImage } from '../../media/decode-image.js';
import { encodePng } from '../../media/png.js';
import type { RasterU8 } from '../../media/raster.js';
import { ModelSampling, SD_SCHEDULE } from '../../nodes/runtime/sampling/model-sampling.js';
import { isSamplerName, modelCalls, samplerNames } from '../../nodes/runtime/sampling/samplers/registry.js';
import { samplerSigmas, schedulerNames, type SchedulerName } from '../../nodes/runtime/sampling/schedulers.js';
import type { ExecutionResult } from '../../server/engine/engine-events.js';
import { workflowEnvelopeSchema, type ApiPrompt } from '../../shared/workflow.js';
import { measureScene, type SceneMeasure } from '../helpers/scene-measure.js';
import { renderScene } from '../helpers/scene-render.js';
import { benchPrompts, vocabularySchema, type Language, type ScenePrompt } from '../helpers/scene-prompts.js';
import { postJson, startTestServer } from '../helpers/server.js';

const root = resolve(import.meta.dirname, '..', '..');
const modelDir = join(root, 'models', 'diffusion', 'inkgraph-emoji');
const STEPS = 20;
const CFG = 5;
const PAIRS = 12;
const PROMPT_SEED = 17;
/** Every 6th single-object scene in both languages: the sweep's 16 prompts, a subset of the main set. */
const SWEEP_EVERY = 6;
type Check = 'background' | 'size' | 'count' | 'position' | 'identity';
const CHECKS: readonly Check[] = ['background', 'size', 'count', 'position', 'identity'];
/** The model card's release gates. */
const GATES: Record<Check, number> = { background: 0.9, size: 0.9, count: 0.9, position: 0.7, identity: 0.6 };
const MAIN: { sampler: string; scheduler: string }[] = [
  { sampler: 'euler', scheduler: 'normal' },
  { sampler: 'euler_ancestral', scheduler: 'normal' },
  { sampler: 'dpmpp_2m', scheduler: 'karras' },
  { sampler: 'dpmpp_sde', scheduler: 'normal' },
  { sampler: 'uni_pc', scheduler: 'normal' },
];

const args = process.argv.slice(2);
const valueOf = (flag: string): string | undefined => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const only = valueOf('--samplers')?.split(',');
/** For looking into a sampler: the sweep with another scheduler or step count (the main set keeps the card's). */
const sweepScheduler = valueOf('--scheduler') ?? 'normal';
const sweepSteps = Number(valueOf('--steps') ?? STEPS);
/** For trying the bench: only the first N prompts of each set. */
const limit = Number(valueOf('--limit') ?? Number.POSITIVE_INFINITY);
const runMain = !args.includes('--sweep-only');
const runSweep = !args.includes('--no-sweep');

if (!existsSync(join(modelDir, 'model_index.json'))) {
  console.log('the shipped model is not here (models/diffusion/inkgraph-emoji); nothing to measure');
  process.exit(0);
}

const vocabulary = vocabularySchema.parse(JSON.parse(readFileSync(join(modelDir, 'vocabulary.json'), 'utf8')));
const workflow = workflowEnvelopeSchema.parse(
  JSON.parse(readFileSync(join(root, 'workflows', 'text-to-image.json'), 'utf8')),
).prompt;
const allPrompts = benchPrompts(vocabulary, PAIRS, PROMPT_SEED);
const prompts = allPrompts.slice(0, limit);
const sweepPrompts = allPrompts
  .filter((prompt) => prompt.scene.kind === 'single' && prompt.scene.object % SWEEP_EVERY === 0)
  .slice(0, limit);

// A run may end before its POST's answer is read: results wait here for their waiter, and waiters for results.
const results = new Map<string, ExecutionResult>();
const waiters = new Map<string, (result: ExecutionResult) => void>();
const server = await startTestServer({
  modelsDir: join(root, 'models'),
  onFinished: (promptId, result) => {
    const waiter = waiters.get(promptId);
    if (waiter) waiter(result);
    else results.set(promptId, result);
  },
});

function finished(promptId: string): Promise<ExecutionResult> {
  const early = results.get(promptId);
  results.delete(promptId);
  if (early) return Promise.resolve(early);
  return new Promise<ExecutionResult>((resolve) => waiters.set(promptId, resolve)).finally(() =>
    waiters.delete(promptId),
  );
}

const labelsSchema = z.array(z.array(z.object({ label: z.string(), score: z.number() })));

/** The default workflow with one prompt, seed and sampler; its segmenter branch left out (not judged here). */
function promptFor(text: string, seed: number, sampler: string, scheduler: string, steps: number): ApiPrompt {
  const prompt = structuredClone(workflow);
  for (const id of ['12', '13', '14', '15']) delete prompt[id];
  const ksampler = prompt['3']!.inputs;
  if (ksampler.steps !== STEPS || ksampler.cfg !== CFG) throw new Error('the default workflow is not 20 steps, CFG 5');
  Object.assign(ksampler, { seed, sampler_name: sampler, scheduler, steps });
  prompt['6']!.inputs.text = text;
  prompt['11']!.inputs.top_k = 1;
  return prompt;
}

interface Generated {
  readonly raster: RasterU8;
  readonly label: string | undefined;
  readonly ms: number;
}

/** Queues a prompt (with no client, so no previews) and waits for its run; ms from POST to the run's end. */
async function runPrompt(prompt: ApiPrompt): Promise<{ result: ExecutionResult; ms: number }> {
  const started = performance.now();
  const response = await postJson(`${server.url}/prompt`, { prompt });
  if (response.status !== 200) throw new Error(`POST /prompt ${response.status}: ${JSON.stringify(response.json)}`);
  const { prompt_id: promptId } = z.object({ prompt_id: z.string() }).parse(response.json);
  const result = await finished(promptId);
  if (result.status !== 'success') throw new Error(`run ${result.status}: ${JSON.stringify(result)}`);
  return { result, ms: performance.now() - started };
}

const topLabel = (result: ExecutionResult, node: string): string | undefined =>
  labelsSchema.parse(result.outputs[node]!.labels)[0]?.[0]?.label;

async function generate(prompt: ApiPrompt): Promise<Generated> {
  const { result, ms } = await runPrompt(prompt);
  const image = result.outputs['9']!.images![0]!;
  const decoded = decodeImage(readFileSync(join(server.dirs.outputDir, image.subfolder, image.filename)));
  if (!decoded.ok) throw new Error(decoded.reason);
  return { raster: decoded.value.raster, label: topLabel(result, '11'), ms };
}

/** The shipped classifier's top label for an image, through the workflow's loader, LoadImage and ImageClassify. */
async function classify(raster: RasterU8, name: string): Promise<string | undefined> {
  writeFileSync(join(server.dirs.inputDir, name), encodePng(raster));
  const { result } = await runPrompt({
    load: { class_type: 'LoadImage', inputs: { image: name } },
    '10': workflow['10']!,
    classify: { class_type: 'ImageClassify', inputs: { image: ['load', 0], classifier: ['10', 0], top_k: 1 } },
  });
  return topLabel(result, 'classify');
}

const sampling = new ModelSampling(SD_SCHEDULE);
const isSchedulerName = (name: string): name is SchedulerName => (schedulerNames as readonly string[]).includes(name);
/**
 * UNet evaluations (each of both CFG sides) an image takes, as the registry counts them; dpm_adaptive's depends on
 * its error control. (The engine's session.run count is no measure: it splits calls to stay interruptible when the
 * machine is slow.)
 */
function calls(sampler: string, scheduler: string, steps: number): string {
  if (!isSamplerName(sampler) || !isSchedulerName(scheduler)) throw new Error(`unknown ${sampler} / ${scheduler}`);
  if (sampler === 'dpm_adaptive') return 'adaptive';
  return String(modelCalls(sampler, samplerSigmas({ sampling, scheduler, sampler, steps, denoise: 1 })));
}

interface Judged {
  readonly prompt: ScenePrompt;
  readonly measure: SceneMeasure;
  readonly label: string | undefined;
  /** Per check, whether it passed; undefined where the check does not apply (size on a pair). */
  readonly passed: Partial<Record<Check, boolean>>;
}

function judge(prompt: ScenePrompt, raster: RasterU8, label: string | undefined): Judged {
  const measure = measureScene(raster);
  const { scene } = prompt;
  const background = measure.background === vocabulary.colours[scene.colour]!.en;
  if (scene.kind === 'pair') return { prompt, measure, label, passed: { background, count: measure.components === 2 } };
  return {
    prompt,
    measure,
    label,
    passed: {
      background,
      size: measure.large === (scene.size === 1),
      position: measure.cell === scene.position,
      count: measure.components === 1,
      identity: label === vocabulary.objects[scene.object]!.en,
    },
  };
}

/** The share of judged images (of a language, or all) that passed a check, and how many it applied to. */
function share(judged: readonly Judged[], check: Check, language?: Language): { hits: number; of: number } {
  const applicable = judged.filter(
    (j) => j.passed[check] !== undefined && (language === undefined || j.prompt.language === language),
  );
  return { hits: applicable.filter((j) => j.passed[check]).length, of: applicable.length };
}

const percent = (value: { hits: number; of: number }): string =>
  value.of === 0 ? '–' : `${((100 * value.hits) / value.of).toFixed(1)}%`;
const pad = (text: string, width: number): string => text.padEnd(width);

function describe(j: Judged): string {
  const m = j.measure;
  const box = m.box ? `${m.box.x0},${m.box.y0}–${m.box.x1},${m.box.y1}` : 'no object';
  return `${j.prompt.text} (seed ${j.prompt.seed}): ${m.background}, cell ${m.cell ?? '-'}, ${m.large ? 'large' : 'small'}, box ${box}, ${m.components} object(s), ${j.label ?? 'no label'}`;
}

async function runSet(
  sampler: string,
  scheduler: string,
  set: readonly ScenePrompt[],
  steps = STEPS,
): Promise<{ judged: Judged[]; msPerImage: number; totalS: number }> {
  const started = performance.now();
  const judged: Judged[] = [];
  let ms = 0;
  for (const prompt of set) {
    const generated = await generate(promptFor(prompt.text, prompt.seed, sampler, scheduler, steps));
    ms += generated.ms;
    judged.push(judge(prompt, generated.raster, generated.label));
  }
  return {
    judged,
    msPerImage: ms / set.length,
    totalS: (performance.now() - started) / 1000,
  };
}

const benchStarted = performance.now();
const singles = prompts.filter((p) => p.scene.kind === 'single').length;
console.log(
  `inkgraph-emoji, ${STEPS} steps, CFG ${CFG}, 64×64; ${prompts.length} prompts (${singles} single-object, ` +
    `${prompts.length - singles} two-object; half English, half Chinese; prompt seed ${PROMPT_SEED})`,
);

/** Euler's judgements of the sweep's prompts (the same seeds, so the same images), to compare the others with. */
const eulerSweep: Judged[] = [];
const placed = (j: Judged): boolean => j.passed.size === true && j.passed.position === true;
const tally = (judged: readonly Judged[]): { background: number; place: number } => ({
  background: judged.filter((j) => j.passed.background).length,
  place: judged.filter(placed).length,
});
/**
 * The checks on real renders of the same scenes (one per scene, the prompts' English side): what they read on
 * images right by construction, e.g. an object split where its parts have the background's colour.
 */
async function judgeRenders(): Promise<Judged[]> {
  const sprites = vocabulary.objects.map((object) => {
    const file = join(root, 'training', 'data', 'sprites', 'twitter', `${String(object.id).padStart(2, '0')}.png`);
    const decoded = decodeImage(readFileSync(file));
    if (!decoded.ok) throw new Error(`${file}: ${decoded.reason}`);
    return decoded.value.raster;
  });
  const colours = vocabulary.colours.map((colour) => colour.rgb);
  const judged: Judged[] = [];
  for (const [i, prompt] of prompts.filter((p) => p.language === 'en').entries()) {
    const raster = renderScene(prompt.scene, sprites, colours);
    const label = prompt.scene.kind === 'single' ? await classify(raster, `render-${i}.png`) : undefined;
    judged.push(judge(prompt, raster, label));
  }
  return judged;
}

if (runMain) {
  const renders = await judgeRenders();
  const failedRenders = renders.filter((j) => Object.values(j.passed).includes(false));
  console.log(`\nreal renders of the ${renders.length} scenes failing a check (${failedRenders.length}):`);
  for (const j of failedRenders) console.log(`  ${describe(j)}`);
  for (const { sampler, scheduler } of MAIN.filter((m) => !only || only.includes(m.sampler))) {
    const run = await runSet(sampler, scheduler, prompts);
    console.log(
      `\n${sampler} / ${scheduler}: ${run.msPerImage.toFixed(0)} ms an image (POST to finished), ` +
        `${calls(sampler, scheduler, STEPS)} model calls an image, ${run.totalS.toFixed(1)} s in all`,
    );
    console.log(
      `${pad('check', 12)}${pad('gate', 8)}${pad('English', 10)}${pad('Chinese', 10)}${pad('both', 10)}` +
        `${pad('verdict', 9)}real renders`,
    );
    for (const check of CHECKS) {
      const both = share(run.judged, check);
      const verdict = both.hits / both.of >= GATES[check] ? 'pass' : 'FAIL';
      console.log(
        `${pad(check, 12)}${pad(`≥ ${GATES[check] * 100}%`, 8)}${pad(percent(share(run.judged, check, 'en')), 10)}` +
          `${pad(percent(share(run.judged, check, 'zh')), 10)}${pad(percent(both), 10)}${pad(verdict, 9)}` +
          percent(share(renders, check)),
      );
    }
    const cropDiffers = run.judged.filter(
      (j) => j.prompt.scene.kind === 'single' && JSON.stringify(j.measure.box) !== JSON.stringify(j.measure.rawBox),
    ).length;
    console.log(`identity crop off the evaluator's (a speck outside the foreground): ${cropDiffers} of ${singles}`);
    const countOf = (judged: readonly Judged[], kind: 'single' | 'pair'): string => {
      const ofKind = judged.filter((j) => j.prompt.scene.kind === kind);
      return percent(share(ofKind, 'count'));
    };
    console.log(
      `count: one object drawn as one ${countOf(run.judged, 'single')} (real renders ${countOf(renders, 'single')}), ` +
        `two as two ${countOf(run.judged, 'pair')} (real renders ${countOf(renders, 'pair')})`,
    );
    const failed = run.judged.filter((j) => Object.values(j.passed).includes(false));
    console.log(`failed a check (${failed.length}):\n  ${failed.map(describe).join('\n  ')}`);
    if (sampler === 'euler') eulerSweep.push(...run.judged.filter((j) => sweepPrompts.includes(j.prompt)));
  }
}

if (runSweep) {
  console.log(
    `\nEvery other sampler name with ${sweepScheduler}, ${sweepSteps} steps: ${sweepPrompts.length} single-object ` +
      'prompts; place = size and position both right',
  );
  console.log(`${pad('sampler', 32)}${pad('background', 12)}${pad('place', 8)}${pad('ms/image', 10)}model calls`);
  const sameSettings = sweepScheduler === 'normal' && sweepSteps === STEPS;
  const euler = sameSettings && eulerSweep.length === sweepPrompts.length ? tally(eulerSweep) : undefined;
  if (euler)
    console.log(
      `${pad('(euler, from the main set)', 32)}${pad(`${euler.background}/${eulerSweep.length}`, 12)}` +
        `${pad(`${euler.place}/${eulerSweep.length}`, 8)}`,
    );
  const mainNames = new Set(MAIN.map((m) => m.sampler));
  for (const sampler of samplerNames.filter((name) => !mainNames.has(name) && (!only || only.includes(name)))) {
    const run = await runSet(sampler, sweepScheduler, sweepPrompts, sweepSteps);
    const { background, place } = tally(run.judged);
    const of = run.judged.length;
    console.log(
      `${pad(sampler, 32)}${pad(`${background}/${of}`, 12)}${pad(`${place}/${of}`, 8)}` +
        `${pad(run.msPerImage.toFixed(0), 10)}${calls(sampler, sweepScheduler, sweepSteps)}`,
    );
    // Far below euler on the same seeds (without euler's figures, far below all right): show what it drew.
    const reference = euler ?? { background: of, place: of };
    if (background < reference.background - 3 || place < reference.place - 4)
      for (const j of run.judged.filter((j) => !j.passed.background || !placed(j))) console.log(`    ${describe(j)}`);
  }
}

console.log(`\ntotal ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);
await server.stop();

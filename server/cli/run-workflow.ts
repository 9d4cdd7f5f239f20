import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { seedExampleInputs } from '../../media/example-inputs.js';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { toLitegraph } from '../../shared/litegraph-export.js';
import { ownValue } from '../../shared/own-property.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { compileWorkflow } from '../../shared/workflow-compile.js';
import { promptUnknownWords } from '../../shared/model-vocabulary-search.js';
import type { EngineEvent } from '../engine/engine-events.js';
import { formatValidationErrors } from '../prompt/format-errors.js';
import { estimateJobMemory, memoryBudgetError } from '../prompt/memory-budget.js';
import { validatePrompt } from '../prompt/validate.js';
import { readVocabularies } from '../vocabularies.js';
import type { RUN_OPTIONS } from './commands.js';
import { runEnvironment, runMemoryBudget, type RunEngine } from './run-engine.js';
import { applyOverrides, loadWorkflowFile } from './load-workflow.js';
import type { OptionValues } from './option-spec.js';
import { formatProgressLine } from './progress-bar.js';

type RunValues = OptionValues<typeof RUN_OPTIONS>;

/**
 * `inkgraph run` (given the engine `startRunEngine` started) and `inkgraph validate` (no engine): the workflow in
 * `file`, with the flags' overrides. The engine is closed before this returns.
 */
export async function runWorkflow(file: string, values: RunValues, engine?: RunEngine): Promise<number> {
  try {
    return await checkAndRun(file, values, engine);
  } finally {
    await engine?.close();
  }
}

async function checkAndRun(file: string, values: RunValues, started: RunEngine | undefined): Promise<number> {
  const registry = createRegistry();
  const { env, tempDir } = started ?? runEnvironment(values);
  const memoryBudgetBytes = started?.memoryBudgetBytes ?? runMemoryBudget(values);
  seedExampleInputs(env.inputDir);
  const objectInfo = buildObjectInfo(registry, env);
  const loaded = loadWorkflowFile(file, objectInfo);
  if (!loaded.ok) {
    console.error(loaded.reason);
    return 1;
  }
  const workflow = applyOverrides(loaded.value, values.set);
  if (!workflow.ok) {
    console.error(workflow.reason);
    return 1;
  }
  // Muted and bypassed nodes are resolved away as the editor does before queueing.
  const prompt = compileWorkflow(workflow.value, objectInfo);
  const validated = validatePrompt(prompt, registry, env);
  if (!validated.ok) {
    const { error, nodeErrors } = validated.reason;
    for (const line of formatValidationErrors(workflow.value.prompt, error, nodeErrors)) console.error(line);
    return 1;
  }
  const validation = validated.value;
  // Words a small model would drop without a sign (the editor names them under the prompt as it is typed).
  const vocabularies = readVocabularies(join(env.modelsDir, 'diffusion'), (line) => console.error(line));
  for (const unknown of promptUnknownWords(validation.prompt, objectInfo, vocabularies))
    console.error(
      `warning: node #${unknown.nodeId} (${validation.prompt[unknown.nodeId]!.class_type}) ${unknown.input}: ` +
        `unknown to ${unknown.model}, so ignored: ${unknown.words.join(', ')}`,
    );
  if (Object.keys(validation.nodeErrors).length > 0) {
    console.error('Some outputs failed validation and will not run:');
    for (const line of formatValidationErrors(
      workflow.value.prompt,
      { type: '', message: '', details: '', extra_info: {} },
      validation.nodeErrors,
    ).slice(1))
      console.error(line);
  }
  const memory = estimateJobMemory(validation.validated, { env, memoryBudgetBytes });
  if (memory.peakBytes > memoryBudgetBytes) {
    const refused = memoryBudgetError(memory, memoryBudgetBytes, validation.outputs);
    for (const line of formatValidationErrors(workflow.value.prompt, refused.error, refused.nodeErrors))
      console.error(line);
    return 1;
  }
  if (!started) {
    console.log(
      `${file}: valid (${Object.keys(validation.prompt).length} nodes, outputs ${validation.outputs.map((id) => `#${id}`).join(', ')})`,
    );
    return 0;
  }

  mkdirSync(env.outputDir, { recursive: true });
  mkdirSync(tempDir, { recursive: true });
  const { engine } = started;
  const startedAt = performance.now();
  const interactive = process.stderr.isTTY === true;
  const stop = (): void => engine.interrupt();
  process.once('SIGINT', stop);
  try {
    const result = await engine.execute(
      {
        promptId: randomUUID(),
        prompt: validation.prompt,
        outputs: validation.outputs,
        extraPngInfo: { inkgraph: workflow.value, workflow: toLitegraph(workflow.value, objectInfo) },
        previewMethod: values['preview-method'],
        previewEvery: values['preview-every'],
      },
      progressPrinter(validation.prompt, startedAt, interactive),
    );
    if (interactive) process.stderr.write('\r\x1b[2K');
    if (result.status !== 'success') {
      if (result.status === 'interrupted') console.error(`Interrupted at #${result.interruptedAt.node}`);
      else {
        const failure = result.failure;
        const node = ownValue(validation.prompt, failure.node);
        console.error(
          `Error in #${failure.node} ${failure.nodeType}${node?._meta?.title ? ` (${node._meta.title})` : ''}: ${failure.message}`,
        );
      }
      return 1;
    }
    for (const ui of Object.values(result.outputs)) {
      for (const image of ui.images ?? []) {
        if (image.type === 'output') console.log(join(env.outputDir, image.subfolder, image.filename));
      }
    }
    // The engine's own time lets `npm run bench:cli` tell the work from the start-up around it.
    const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)}s`;
    console.error(
      `Done in ${seconds(performance.now() - startedAt)} (${result.executed.length} nodes run, ${seconds(result.timing.totalMs)} in the engine)`,
    );
    return 0;
  } finally {
    process.off('SIGINT', stop);
    rmSync(tempDir, { recursive: true, force: true });
  }
}

/**
 * Shows which node runs and its step progress on stderr: one line redrawn on a terminal, else a line per node
 * and at most one progress line a second (and the last step), so a log file stays short.
 */
function progressPrinter(prompt: ApiPrompt, startedAt: number, interactive: boolean): (event: EngineEvent) => void {
  let lastLineAt = 0;
  return (event) => {
    if (event.type !== 'progress' && event.type !== 'node_start') return;
    const node = ownValue(prompt, event.node)!;
    const label = `#${event.node} ${node._meta?.title ?? node.class_type}`;
    const line =
      event.type === 'progress'
        ? formatProgressLine({ value: event.value, max: event.max, label, elapsedMs: performance.now() - startedAt })
        : `▶ ${label}`;
    const now = performance.now();
    if (interactive) process.stderr.write(`\r\x1b[2K${line}`);
    else if (
      event.type === 'node_start' ||
      now - lastLineAt > 1000 ||
      (event.type === 'progress' && event.value === event.max)
    ) {
      process.stderr.write(`${line}\n`);
      lastLineAt = now;
    }
  };
}

import type { ApiPrompt } from '../../shared/workflow.js';

/**
 * LoadImage of `image` → ImageInvert × length → PreviewImage, ids 'n0' … 'n<length>' and 'out': the cheapest chain
 * that validates and runs, for prompts far deeper than a workflow.
 */
export function invertChain(length: number, image: string): ApiPrompt {
  const prompt: ApiPrompt = { n0: { class_type: 'LoadImage', inputs: { image } } };
  for (let i = 1; i <= length; i++)
    prompt[`n${i}`] = { class_type: 'ImageInvert', inputs: { image: [`n${i - 1}`, 0] } };
  prompt.out = { class_type: 'PreviewImage', inputs: { images: [`n${length}`, 0] } };
  return prompt;
}

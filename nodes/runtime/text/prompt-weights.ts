/**
 * ComfyUI's emphasis syntax: `(text)` multiplies the weight by 1.1, `(text:1.3)` sets it, nesting multiplies,
 * `\(` and `\)` are literal parentheses. Pure; mirrors ComfyUI's `token_weights` and `parse_parentheses`.
 */

export interface WeightedSegment {
  readonly text: string;
  readonly weight: number;
}

const ESCAPED_CLOSE = '\u0000\u0001';
const ESCAPED_OPEN = '\u0000\u0002';

function parseParentheses(text: string): string[] {
  const result: string[] = [];
  let current = '';
  let nesting = 0;
  for (const char of text) {
    if (char === '(') {
      if (nesting === 0) {
        if (current) result.push(current);
        current = '(';
      } else current += char;
      nesting += 1;
    } else if (char === ')') {
      nesting -= 1;
      if (nesting === 0) {
        result.push(`${current})`);
        current = '';
      } else current += char;
    } else current += char;
  }
  if (current) result.push(current);
  return result;
}

function tokenWeights(text: string, currentWeight: number): WeightedSegment[] {
  const out: WeightedSegment[] = [];
  for (const part of parseParentheses(text)) {
    if (part.length >= 2 && part.startsWith('(') && part.endsWith(')')) {
      let inner = part.slice(1, -1);
      let weight = currentWeight * 1.1;
      const colon = inner.lastIndexOf(':');
      if (colon > 0) {
        const parsed = Number(inner.slice(colon + 1));
        if (inner.slice(colon + 1).trim() !== '' && Number.isFinite(parsed)) {
          weight = parsed;
          inner = inner.slice(0, colon);
        }
      }
      out.push(...tokenWeights(inner, weight));
    } else out.push({ text: part, weight: currentWeight });
  }
  return out;
}

export function parsePromptWeights(prompt: string): WeightedSegment[] {
  const escaped = prompt.replaceAll('\\)', ESCAPED_CLOSE).replaceAll('\\(', ESCAPED_OPEN);
  return tokenWeights(escaped, 1).map((segment) => ({
    text: segment.text.replaceAll(ESCAPED_CLOSE, ')').replaceAll(ESCAPED_OPEN, '('),
    weight: segment.weight,
  }));
}

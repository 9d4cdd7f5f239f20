import { expect } from 'vitest';

/**
 * vitest's asymmetric matchers, typed `unknown` rather than `any`, so the objects and arrays they sit in stay
 * type-checked (and lint's no-unsafe-* rules hold in tests).
 */
export const stringMatching = (pattern: string | RegExp): unknown => expect.stringMatching(pattern);
export const stringContaining = (text: string): unknown => expect.stringContaining(text);
export const objectContaining = (object: Record<string, unknown>): unknown => expect.objectContaining(object);
export const anyOf = (type: abstract new (...args: never[]) => unknown): unknown => expect.any(type);

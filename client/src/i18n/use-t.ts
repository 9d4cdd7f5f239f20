import { useAtomValue } from 'jotai';
import { useCallback } from 'react';
import type { NodeInfo } from '../../../shared/node-spec.js';
import { localeAtom } from '../state/atoms.js';
import { categoryLabel } from './categories.js';
import { translate, type MessageKey } from './messages.js';

export function useT(): (key: MessageKey, params?: Record<string, string>) => string {
  const locale = useAtomValue(localeAtom);
  return useCallback((key: MessageKey, params?: Record<string, string>) => translate(locale, key, params), [locale]);
}

/** A node's title, description, category, input labels and tooltips in the chosen language, where the node gives translations. */
export function useNodeText(): (info: NodeInfo) => {
  title: string;
  description: string;
  category: string;
  input: (name: string) => string;
  output: (index: number) => string;
  tooltip: (name: string) => string | undefined;
} {
  const locale = useAtomValue(localeAtom);
  return useCallback(
    (info: NodeInfo) => {
      const translation = locale === 'zh-CN' ? info.translations?.['zh-CN'] : undefined;
      return {
        title: translation?.display_name ?? info.display_name,
        description: translation?.description ?? info.description,
        category: categoryLabel(locale, info.category, translation?.category),
        input: (name: string) => translation?.inputs?.[name] ?? name,
        output: (index: number) => translation?.outputs?.[index] ?? info.output_name[index] ?? info.output[index] ?? '',
        tooltip: (name: string) =>
          translation?.tooltips?.[name] ?? (info.input.required[name] ?? info.input.optional?.[name])?.[1]?.tooltip,
      };
    },
    [locale],
  );
}

/** One label a classifier node reports for an image, with its score. */
export interface LabelEntry {
  readonly label: string;
  readonly label_zh?: string;
  readonly score: number;
}

/** The LABELS a classifier node reports (a list per image), if its UI output has them. Pure. */
export function labelLists(value: readonly unknown[] | undefined): LabelEntry[][] {
  if (!value) return [];
  return value.filter(
    (item): item is LabelEntry[] =>
      Array.isArray(item) &&
      item.every((entry) => typeof entry === 'object' && entry !== null && 'label' in entry && 'score' in entry),
  );
}

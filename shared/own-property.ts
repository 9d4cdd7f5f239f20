/**
 * `record[key]` only if it is the record's own property. Records keyed by input (node ids, input names, class types)
 * would otherwise answer `constructor`, `toString`, `__proto__`… from Object.prototype, handing a function or the
 * prototype itself to code that expects a node.
 */
export function ownValue<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

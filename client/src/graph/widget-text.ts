/** A widget value as the text an input shows: empty when unset, JSON for anything that is not a scalar. Pure. */
export function widgetText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
    case 'symbol':
    case 'function':
      return '';
    case 'object':
      return value === null ? '' : (JSON.stringify(value) ?? '');
  }
}

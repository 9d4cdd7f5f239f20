import { useState } from 'react';
import type { InputOptions } from '../../../../shared/node-spec.js';
import { committedNumber, numberRule, readNumberDraft, stepNumber } from '../../graph/number-value.js';
import { widgetText } from '../../graph/widget-text.js';
import { useT } from '../../i18n/use-t.js';

interface NumberWidgetProps {
  readonly id: string;
  readonly kind: 'INT' | 'FLOAT';
  readonly options: InputOptions;
  readonly label: string;
  readonly value: unknown;
  readonly onChange: (value: number) => void;
}

/**
 * An INT or FLOAT field that holds the text as typed (empty or partial like "7." while editing) and commits the
 * number on blur or Enter, snapped and clamped as ComfyUI's frontend does. Text that is not a number is marked
 * invalid and never committed: leaving the field shows the value that will be queued again.
 */
export function NumberWidget({ id, kind, options, label, value, onChange }: NumberWidgetProps) {
  const t = useT();
  const rule = numberRule(kind, options);
  // undefined while the field shows the stored value; the typed text while the user edits it.
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const current = typeof value === 'number' ? value : Number(value ?? 0);
  const invalid = draft !== undefined && readNumberDraft(draft).kind === 'invalid';

  const commit = (): void => {
    if (draft === undefined) return;
    const next = committedNumber(draft, rule);
    setDraft(undefined);
    if (next !== undefined && next !== value) onChange(next);
  };

  return (
    <span className="number-widget">
      {options.display === 'slider' && (
        <input
          className="nodrag nokey"
          type="range"
          min={rule.min}
          max={rule.max}
          step={rule.step}
          value={current}
          onChange={(event) => onChange(committedNumber(event.target.value, rule) ?? current)}
          aria-label={label}
        />
      )}
      <input
        id={id}
        className={`nodrag nokey${invalid ? ' has-error' : ''}`}
        type="text"
        inputMode={kind === 'INT' ? 'numeric' : 'decimal'}
        value={draft ?? widgetText(value)}
        aria-invalid={invalid}
        title={invalid ? t('notANumber') : undefined}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          // Enter commits before Ctrl+Enter's run reads the graph (this handler runs before the window's).
          if (event.key === 'Enter') commit();
          else if (event.key === 'Escape') setDraft(undefined);
          else if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
            event.preventDefault();
            const base = (draft !== undefined ? committedNumber(draft, rule) : undefined) ?? current;
            setDraft(undefined);
            onChange(stepNumber(base, event.key === 'ArrowUp' ? 1 : -1, rule));
          }
        }}
        aria-label={label}
      />
    </span>
  );
}

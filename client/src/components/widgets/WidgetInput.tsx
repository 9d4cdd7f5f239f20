import { memo } from 'react';
import type { WidgetField } from '../../graph/node-factory.js';
import { hexColorToInt, intToHexColor } from '../../graph/color-value.js';
import { widgetText } from '../../graph/widget-text.js';
import type { SeedControl } from '../../graph/types.js';
import { useT } from '../../i18n/use-t.js';
import { NumberWidget } from './NumberWidget.js';

interface WidgetInputProps {
  readonly nodeId: string;
  readonly field: WidgetField;
  readonly label: string;
  /** The input's tooltip in the UI's language. */
  readonly tooltip: string | undefined;
  readonly value: unknown;
  readonly control: SeedControl | undefined;
  readonly error: string | undefined;
  readonly onChange: (value: unknown) => void;
  readonly onControlChange: (control: SeedControl) => void;
}

const CONTROLS: SeedControl[] = ['fixed', 'increment', 'decrement', 'randomize'];

/** One widget per input type: numbers with steps and limits (slider or colour where asked), text, combo, toggle, seed control. */
export const WidgetInput = memo(function WidgetInput({
  nodeId,
  field,
  label,
  tooltip,
  value,
  control,
  error,
  onChange,
  onControlChange,
}: WidgetInputProps) {
  const t = useT();
  const options = field.spec[1] ?? {};
  const id = `w-${nodeId}-${field.name}`;
  let input: React.ReactNode;
  if (Array.isArray(field.spec[0])) {
    input = (
      <select
        id={id}
        className="nodrag nokey"
        value={widgetText(value)}
        onChange={(event) => onChange(event.target.value)}
        aria-label={label}
      >
        {!field.spec[0].map(String).includes(String(value)) && (
          <option value={widgetText(value)}>{widgetText(value)}</option>
        )}
        {field.spec[0].map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  } else if (field.type === 'INT' && options.display === 'color') {
    input = (
      <input
        id={id}
        className="nodrag nokey color-widget"
        type="color"
        value={intToHexColor(value)}
        onChange={(event) => {
          const color = hexColorToInt(event.target.value);
          if (color !== undefined) onChange(color);
        }}
        aria-label={label}
      />
    );
  } else if (field.type === 'INT' || field.type === 'FLOAT') {
    input = (
      <NumberWidget id={id} kind={field.type} options={options} label={label} value={value} onChange={onChange} />
    );
  } else if (field.type === 'BOOLEAN') {
    input = (
      <label className="toggle nodrag">
        <input
          id={id}
          type="checkbox"
          checked={Boolean(value)}
          onChange={(event) => onChange(event.target.checked)}
          aria-label={label}
        />
        <span>{value ? (options.label_on ?? 'true') : (options.label_off ?? 'false')}</span>
      </label>
    );
  } else if (options.multiline) {
    input = (
      <textarea
        id={id}
        className="nodrag nokey nowheel"
        rows={4}
        value={widgetText(value)}
        placeholder={options.placeholder}
        onChange={(event) => onChange(event.target.value)}
        aria-label={label}
      />
    );
  } else {
    input = (
      <input
        id={id}
        className="nodrag nokey"
        type="text"
        value={widgetText(value)}
        placeholder={options.placeholder}
        onChange={(event) => onChange(event.target.value)}
        aria-label={label}
      />
    );
  }
  return (
    <div className={`widget${error ? ' has-error' : ''}`} title={error ?? tooltip}>
      <label htmlFor={id}>{label}</label>
      {input}
      {control && (
        <select
          className="nodrag nokey seed-control"
          value={control}
          onChange={(event) => {
            const chosen = CONTROLS.find((option) => option === event.target.value);
            if (chosen) onControlChange(chosen);
          }}
          aria-label={t('control_after_generate')}
          title={t('control_after_generate')}
        >
          {CONTROLS.map((option) => (
            <option key={option} value={option}>
              {t(`control_${option}`)}
            </option>
          ))}
        </select>
      )}
      {error && <div className="field-error">{error}</div>}
    </div>
  );
});

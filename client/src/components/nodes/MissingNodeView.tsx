import { Handle, Position } from '@xyflow/react';
import { useAtomValue } from 'jotai';
import { memo } from 'react';
import { unsupportedNodeReason } from '../../../../shared/unsupported-nodes.js';
import { outputHandle, type InkNodeData } from '../../graph/types.js';
import { widgetText } from '../../graph/widget-text.js';
import { useT } from '../../i18n/use-t.js';
import { localeAtom } from '../../state/atoms.js';
import { typeColor } from '../type-colors.js';

/**
 * A node whose type the server lacks, as ComfyUI's frontend shows one: marked red, its slots kept so its wires stay,
 * its widget values shown read-only (they are saved back as they came).
 */
export const MissingNodeView = memo(function MissingNodeView({
  id,
  data,
  selected,
}: {
  readonly id: string;
  readonly data: InkNodeData;
  readonly selected: boolean;
}) {
  const t = useT();
  const locale = useAtomValue(localeAtom);
  // Nodes Inkgraph lacks on purpose say why (shared with the server's validation message).
  const reason = unsupportedNodeReason(data.classType);
  const inputs = data.missing?.inputs ?? [];
  const outputs = data.missing?.outputs ?? [];
  const values = data.missing?.widgets_values;
  const shown = Array.isArray(values) ? values : Object.values(values ?? {});
  return (
    <div
      className={`ink-node missing${selected ? ' selected' : ''}`}
      data-testid={`node-${id}`}
      data-class={data.classType}
      data-missing="true"
    >
      <div className="node-header" title={t('missingNodeHint')}>
        <span className="node-title" data-testid={`missing-${id}`}>
          {t('missingNode', { type: data.classType })}
        </span>
      </div>
      <div className="node-body">
        {data.title !== data.classType && <div className="missing-title">{data.title}</div>}
        {reason && (
          <div className="missing-reason" data-testid={`missing-reason-${id}`}>
            {locale === 'zh-CN' ? reason['zh-CN'] : reason.en}
          </div>
        )}
        <div className="node-io">
          <div className="node-inputs">
            {inputs.map((input) => (
              <div className="socket-row" key={input.name}>
                <Handle
                  type="target"
                  position={Position.Left}
                  id={input.name}
                  isConnectable={false}
                  style={{ background: typeColor(input.type ?? '*') }}
                />
                <span>{input.name}</span>
              </div>
            ))}
          </div>
          <div className="node-outputs">
            {outputs.map((output, index) => (
              <div className="socket-row out" key={index}>
                <span>{output.name ?? output.type}</span>
                <Handle
                  type="source"
                  position={Position.Right}
                  id={outputHandle(index)}
                  isConnectable={false}
                  style={{ background: typeColor(output.type ?? '*') }}
                />
              </div>
            ))}
          </div>
        </div>
        {shown.length > 0 && (
          <ul className="missing-values" aria-label={t('missingNodeValues')}>
            {shown.map((value, index) => (
              <li key={index}>{widgetText(value)}</li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
});

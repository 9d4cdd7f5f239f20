import { Handle, Position, useNodeConnections, useStore, type NodeProps } from '@xyflow/react';
import { useAtomValue, useSetAtom } from 'jotai';
import { selectAtom } from 'jotai/utils';
import { memo, useCallback, useMemo } from 'react';
import { viewUrl } from '../../api/server-api.js';
import { labelLists } from '../../execution/labels.js';
import type { NodeStatus } from '../../execution/execution-state.js';
import { imagesKey, shownPreview } from '../../execution/previews.js';
import { groupKeys } from '../../graph/history.js';
import { setSeedControl, setWidgetValue } from '../../graph/node-edits.js';
import { hasSeedControl, nodeInputs } from '../../graph/node-factory.js';
import { outputHandle, type InkNode, type SeedControl } from '../../graph/types.js';
import { widgetText } from '../../graph/widget-text.js';
import type { MessageKey } from '../../i18n/messages.js';
import { useNodeText, useT } from '../../i18n/use-t.js';
import { executionId } from '../../graph/subgraph-edits.js';
import {
  graphAtom,
  imagesShownAtom,
  localeAtom,
  nodeErrorsAtom,
  objectInfoAtom,
  previewsAtom,
  updateGraphAtom,
  visibleRunsAtom,
} from '../../state/atoms.js';
import { typeColor } from '../type-colors.js';
import { openViewerAtom } from '../../state/viewer-atoms.js';
import { FAR_ZOOM, FarNodeView } from './FarNodeView.js';
import { MissingNodeView } from './MissingNodeView.js';
import { ModelSizeWarning } from './ModelSizeWarning.js';
import { SigmaPlot } from './SigmaPlot.js';
import { sigmaPlotData } from '../../graph/sigma-plot.js';
import { NodeResizeCorner } from './NodeResizeCorner.js';
import { isSizedClass } from '../../graph/model-size.js';
import { WidgetInput } from '../widgets/WidgetInput.js';
import { UnknownWords } from '../widgets/UnknownWords.js';
import { VocabularyPicker } from '../widgets/VocabularyPicker.js';
import { appendPhrase } from '../../graph/prompt-vocabulary.js';

/** The label of each run status. */
const STATUS_LABELS: Readonly<Record<NodeStatus, MessageKey>> = {
  queued: 'statusQueued',
  running: 'statusRunning',
  cached: 'statusCached',
  done: 'statusDone',
  error: 'statusError',
  interrupted: 'statusInterrupted',
};

/** A node built from its spec: typed sockets, a widget per widget input (hidden while connected), run state. */
export const InkNodeView = memo(function InkNodeView({ id, data, selected }: NodeProps<InkNode>) {
  const t = useT();
  const nodeText = useNodeText();
  const objectInfo = useAtomValue(objectInfoAtom);
  const locale = useAtomValue(localeAtom);
  // Only the shown tab's runs: another tab's progress never lands on a node that shares its id.
  // Inside an open subgraph the server knows this node as `instance:inner`: its run state is under that id.
  const runId = useAtomValue(useMemo(() => selectAtom(graphAtom, (graph) => executionId(graph, id)), [id]));
  const run = useAtomValue(useMemo(() => selectAtom(visibleRunsAtom, (runs) => runs[runId]), [runId]));
  const latestPreview = useAtomValue(useMemo(() => selectAtom(previewsAtom, (previews) => previews[runId]), [runId]));
  const errors = useAtomValue(useMemo(() => selectAtom(nodeErrorsAtom, (all) => all[runId]), [runId]));
  const updateGraph = useSetAtom(updateGraphAtom);
  const openViewer = useSetAtom(openViewerAtom);
  const connections = useNodeConnections({ handleType: 'target' });
  const connected = useMemo(() => new Set(connections.map((connection) => connection.targetHandle)), [connections]);
  const info = objectInfo?.[data.classType];
  // Resized by hand: the node fills the size it was given (and is no narrower than its widgets need).
  const sized = useStore((state) => state.nodeLookup.get(id)?.height !== undefined);
  // Level of detail: zoomed far out, a node draws only its header and sockets (a 500-node canvas stays smooth).
  const far = useStore((state) => state.transform[2] < FAR_ZOOM);

  const setWidget = useCallback(
    (name: string, value: unknown) =>
      updateGraph({
        group: groupKeys.typing(id, name),
        update: (graph) => setWidgetValue(graph, id, name, value),
      }),
    [id, updateGraph],
  );
  const preview = shownPreview(latestPreview, run?.promptId);
  const showImages = useSetAtom(imagesShownAtom);
  const outputKey = imagesKey(run?.output?.images ?? []);
  const imagesLoaded = useCallback(
    (event: React.SyntheticEvent<HTMLImageElement>) => {
      const all = event.currentTarget.parentElement?.querySelectorAll('img') ?? [];
      if ([...all].every((image) => image.complete)) showImages({ nodeId: runId, key: outputKey });
    },
    [runId, outputKey, showImages],
  );
  const setControl = useCallback(
    (name: string, control: SeedControl) =>
      updateGraph({
        update: (graph) => setSeedControl(graph, id, name, control),
      }),
    [id, updateGraph],
  );

  if (!info) return <MissingNodeView id={id} data={data} selected={selected} />;
  const text = nodeText(info);
  const { widgets, sockets } = nodeInputs(info);
  const hasClipInput = sockets.some((field) => field.type === 'CLIP');
  const status = run?.status;
  const progress = run?.value !== undefined && run.max ? run.value / run.max : undefined;
  const modeClass = data.mode === 4 ? ' bypassed' : data.mode === 2 ? ' muted' : '';
  const images = run?.output?.images ?? [];
  const sigmaPlot = sigmaPlotData(run?.output);
  if (far) {
    return (
      <FarNodeView
        id={id}
        className={`ink-node far${selected ? ' selected' : ''}${status ? ` status-${status}` : ''}${modeClass}${errors ? ' invalid' : ''}`}
        classType={data.classType}
        title={data.title === info.display_name ? text.title : data.title}
        inputs={[...sockets, ...widgets]}
        outputs={info.output}
        connectedInputs={connected}
      />
    );
  }
  return (
    <div
      className={`ink-node${sized && !data.collapsed ? ' sized' : ''}${selected ? ' selected' : ''}${status ? ` status-${status}` : ''}${modeClass}${errors ? ' invalid' : ''}`}
      // ComfyUI's node colours are dark in either theme: the text on them is light.
      style={data.bgcolor ? { background: data.bgcolor, color: '#ddd' } : undefined}
      data-testid={`node-${id}`}
      data-class={data.classType}
    >
      <div className="node-header" title={text.description} style={data.color ? { background: data.color } : undefined}>
        <span className="node-title">{data.title === info.display_name ? text.title : data.title}</span>
        {data.pinned && (
          <span className="node-pinned" title={t('nodeMenu.pinned')} data-testid={`pinned-${id}`}>
            {/* A drawn pin: headless and minimal systems often lack an emoji font. */}
            <svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true">
              <path
                d="M9.5 1 15 6.5l-1.4 1.4-1-1L10 9.5l.5 2.5-1.4 1.4L6 10l-4 4-.7-.7 4-4L2 6l1.4-1.4L6 5l2.6-2.6-1-1z"
                fill="currentColor"
              />
            </svg>
          </span>
        )}
        {status && (
          <span className={`node-status ${status}`} data-testid={`status-${id}`}>
            {t(STATUS_LABELS[status])}
            {run?.ms !== undefined && status === 'done' ? ` ${(run.ms / 1000).toFixed(2)}s` : ''}
          </span>
        )}
      </div>
      {progress !== undefined && status === 'running' && (
        <div className="node-progress" role="progressbar" aria-valuenow={run?.value} aria-valuemax={run?.max}>
          <div style={{ width: `${Math.round(progress * 100)}%` }} />
          <span data-testid={`progress-${id}`}>
            {run?.value}/{run?.max}
          </span>
        </div>
      )}
      {!data.collapsed && <NodeResizeCorner />}
      {errors?.[''] && <div className="field-error">{errors['']}</div>}
      {isSizedClass(data.classType) && <ModelSizeWarning data={data} />}
      {!data.collapsed && (
        <div className="node-body">
          <div className="node-io">
            <div className="node-inputs">
              {sockets.map((field) => (
                <div className="socket-row" key={field.name}>
                  <Handle
                    type="target"
                    position={Position.Left}
                    id={field.name}
                    style={{ background: typeColor(field.type) }}
                  />
                  <span className={errors?.[field.name] ? 'has-error' : ''} title={errors?.[field.name]}>
                    {text.input(field.name)}
                  </span>
                </div>
              ))}
            </div>
            <div className="node-outputs">
              {info.output.map((type, index) => (
                <div className="socket-row out" key={index}>
                  <span>{text.output(index)}</span>
                  <Handle
                    type="source"
                    position={Position.Right}
                    id={outputHandle(index)}
                    style={{ background: typeColor(type) }}
                  />
                </div>
              ))}
            </div>
          </div>
          {widgets.map((field) =>
            connected.has(field.name) ? (
              <div className="socket-row widget-linked" key={field.name}>
                <Handle
                  type="target"
                  position={Position.Left}
                  id={field.name}
                  style={{ background: typeColor(field.type) }}
                />
                <span>{text.input(field.name)}</span>
              </div>
            ) : (
              <div className="widget-row" key={field.name}>
                <Handle
                  type="target"
                  position={Position.Left}
                  id={field.name}
                  className="widget-handle"
                  style={{ background: typeColor(field.type) }}
                />
                <WidgetInput
                  nodeId={id}
                  field={field}
                  label={text.input(field.name)}
                  tooltip={text.tooltip(field.name)}
                  value={data.widgets[field.name]}
                  control={hasSeedControl(field) ? (data.controls[field.name] ?? 'randomize') : undefined}
                  error={errors?.[field.name]}
                  onChange={(value) => setWidget(field.name, value)}
                  onControlChange={(control) => setControl(field.name, control)}
                />
                {field.type === 'STRING' && field.spec[1]?.multiline && hasClipInput && (
                  <>
                    <UnknownWords nodeId={id} text={widgetText(data.widgets[field.name])} />
                    <VocabularyPicker
                      nodeId={id}
                      onPick={(phrase) =>
                        setWidget(field.name, appendPhrase(widgetText(data.widgets[field.name]), phrase, locale))
                      }
                    />
                  </>
                )}
              </div>
            ),
          )}
          {sigmaPlot && <SigmaPlot nodeId={id} plot={sigmaPlot} />}
          {preview && (
            <img className="node-preview" src={preview.url} alt={t('stepPreview')} data-testid={`preview-${id}`} />
          )}
          {images.length > 0 && (
            // Under a preview the images load unseen; once all have, the preview gives way (previews.ts).
            <div className={`node-images${preview ? ' behind-preview' : ''}`}>
              {images.map((image) => (
                <img
                  key={`${image.subfolder}/${image.filename}`}
                  src={viewUrl(image)}
                  alt={image.filename}
                  data-testid={`output-${id}`}
                  onLoad={imagesLoaded}
                  onError={imagesLoaded}
                  onClick={() => openViewer({ image, batch: images })}
                />
              ))}
            </div>
          )}
          {labelLists(run?.output?.labels).map((labels, item) => (
            <ul className="label-bars" key={item} data-testid={`labels-${id}`}>
              {labels.map((entry) => (
                <li key={entry.label}>
                  <span>{locale === 'zh-CN' && entry.label_zh ? entry.label_zh : entry.label}</span>
                  <span className="bar" style={{ width: `${Math.round(entry.score * 100)}%` }} />
                  <span>{Math.round(entry.score * 100)}%</span>
                </li>
              ))}
            </ul>
          ))}
          {(run?.output?.text ?? []).map((text, index) => (
            <pre className="node-text" key={index} data-testid={`text-${id}`}>
              {text}
            </pre>
          ))}
          {run?.error && (
            <div className="field-error" data-testid={`error-${id}`}>
              {run.error}
            </div>
          )}
        </div>
      )}
    </div>
  );
});

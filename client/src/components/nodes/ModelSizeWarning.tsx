import { useAtomValue } from 'jotai';
import { selectAtom } from 'jotai/utils';
import { memo, useMemo } from 'react';
import { farFromModel, graphModelSize } from '../../graph/model-size.js';
import type { InkNodeData } from '../../graph/types.js';
import { useT } from '../../i18n/use-t.js';
import { graphAtom, modelSizesAtom } from '../../state/atoms.js';

/**
 * Under an Empty Latent Image whose size is far from the model's training size: a warning, not a refusal (a 64×64
 * model asked for 512×512 runs ~60× longer and tiles its scene, which may be what someone wants).
 */
export const ModelSizeWarning = memo(function ModelSizeWarning({ data }: { readonly data: InkNodeData }) {
  const t = useT();
  const sizes = useAtomValue(modelSizesAtom);
  // Only the model's size is read from the graph, so other edits do not redraw the node.
  const model = useAtomValue(
    useMemo(
      () =>
        selectAtom(
          graphAtom,
          (graph) => graphModelSize(graph, sizes),
          (a, b) => a?.model === b?.model,
        ),
      [sizes],
    ),
  );
  if (!model || !farFromModel({ data }, model.size)) return null;
  return (
    <div className="field-warning" data-testid="model-size-warning">
      {t('farFromModelSize', {
        model: model.model,
        width: String(model.size.width),
        height: String(model.size.height),
      })}
    </div>
  );
});

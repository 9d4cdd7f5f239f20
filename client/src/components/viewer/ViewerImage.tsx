import { pixelated, type ImageView, type Size } from '../../graph/image-view.js';

/**
 * One image drawn at the viewer's zoom: its natural size times the scale, its top-left at the view's offset.
 * Blown-up images are drawn pixelated (the shipped model makes 64×64 images). Hidden until its size is known.
 */
export function ViewerImage({
  src,
  alt,
  view,
  size,
  onSize,
  testId,
}: {
  readonly src: string;
  readonly alt: string;
  readonly view: ImageView;
  readonly size: Size | undefined;
  readonly onSize: (size: Size) => void;
  readonly testId?: string;
}) {
  return (
    <img
      className={`viewer-image${pixelated(view.scale) ? ' pixelated' : ''}`}
      src={src}
      alt={alt}
      draggable={false}
      data-testid={testId}
      onLoad={(event) => onSize({ width: event.currentTarget.naturalWidth, height: event.currentTarget.naturalHeight })}
      style={
        size
          ? {
              width: size.width * view.scale,
              height: size.height * view.scale,
              transform: `translate(${view.x}px, ${view.y}px)`,
            }
          : { visibility: 'hidden' }
      }
    />
  );
}

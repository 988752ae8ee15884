import { useCopyRows } from '../hooks/use-copy.js';

/** A side panel's title with Copy as JSON and a close button (Escape closes too). */
export function DetailHeader({ title, json, onClose }: { title: string; json: unknown; onClose(): void }) {
  const copier = useCopyRows();
  return (
    <div className="detail-header">
      <h2>{title}</h2>
      <span className="muted" role="status">
        {copier.note}
      </span>
      <button type="button" className="btn small" onClick={() => copier.copy([json])}>
        Copy as JSON
      </button>
      <button type="button" className="btn small" onClick={onClose} aria-label={`Close ${title}`} title="Close (Escape)">
        ×
      </button>
    </div>
  );
}

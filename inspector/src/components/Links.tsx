import type { ReactNode } from 'react';
import type { OwnerStatus } from '../model/runs.js';
import { useUi } from '../ui-context.js';

/** `#42`: shows that event in Events. */
export function EventLink({ run, seq, children }: { run: number; seq: number; children?: ReactNode }) {
  const { show } = useUi();
  return (
    <button type="button" className="linklike" onClick={() => show({ run, kind: 'event', id: String(seq) })}>
      {children ?? `#${seq}`}
    </button>
  );
}

/** An owner's status (`closed c3, 4 s ago`); a link to the connection while the model still has it. */
export function OwnerLink({ run, owner }: { run: number; owner: OwnerStatus }) {
  const { show } = useUi();
  if (!owner.id || owner.state === 'unknown') return <>{owner.text}</>;
  const id = owner.id;
  return (
    <button type="button" className="linklike" onClick={() => show({ run, kind: 'connection', id })}>
      {owner.text}
    </button>
  );
}

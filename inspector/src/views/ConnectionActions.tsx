import type { ActionInfo } from '../../../shared/protocol.js';
import { capitalize } from '../components/TableToolbar.js';
import { useUi } from '../ui-context.js';

/** The teardown buttons a connection offers (`Disconnect c3`, `Close c3`, app actions); each opens a trace. */
export function ConnectionActions({ row }: { row: { id: string; actions: readonly ActionInfo[] } }) {
  const { runAction, link } = useUi();
  return (
    <span className="toolbar">
      {row.actions.map((a) => {
        const label = a.label ?? capitalize(a.name);
        return (
          <button
            key={a.name}
            type="button"
            className={`btn small${a.source === 'builtin' ? ' danger' : ''}`}
            aria-label={`${label} ${row.id}`}
            disabled={!link.canAct}
            title={link.actionsOff ?? `${label} ${row.id} and watch its teardown`}
            onClick={(e) => {
              e.stopPropagation();
              void runAction(row.id, a.name);
            }}
          >
            {label}
          </button>
        );
      })}
    </span>
  );
}

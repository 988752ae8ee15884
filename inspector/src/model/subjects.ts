import type { Model } from '../../../shared/analysis/types.js';
import type { Selection } from './deep-link.js';
import type { RunModel } from './runs.js';
import { absoluteTime, spanOverlaps, type TimeWindow } from './time-window.js';

/**
 * What a finding's subject id names in its run's model (connections `c3`,
 * listeners `l12`, handles `rooms:4`, emitters `e1`, actions `a2`), as a
 * selection; null when the model no longer holds it (pruned).
 */
export function subjectSelection(model: Model, run: number, id: string): Selection | null {
  const kind: Selection['kind'] | undefined = model.connections.some((c) => c.id === id)
    ? 'connection'
    : model.listeners.some((l) => l.id === id)
      ? 'listener'
      : model.handles.some((h) => h.id === id)
        ? 'handle'
        : model.emitters.some((e) => e.id === id)
          ? 'emitter'
          : model.actions.some((a) => a.id === id)
            ? 'action'
            : undefined;
  return kind ? { run, kind, id } : null;
}

/** Whether the selected entity lived during the window (so its view, filtered by the window, shows it). */
export function selectionInWindow(run: RunModel | undefined, selection: Selection, window: TimeWindow | null): boolean {
  if (!window || !run) return true;
  const m = run.model;
  const span = (start: number, end: number | undefined) =>
    spanOverlaps(absoluteTime(run.startedAt, start), end !== undefined ? absoluteTime(run.startedAt, end) : run.endedAt, window);
  switch (selection.kind) {
    case 'connection': {
      const c = m.connections.find((x) => x.id === selection.id);
      return !c || span(c.openedT, c.closedT);
    }
    case 'listener': {
      const l = m.listeners.find((x) => x.id === selection.id);
      return !l || span(l.addedT, l.removedT);
    }
    case 'handle': {
      const h = m.handles.find((x) => x.id === selection.id);
      return !h || span(h.storedT, h.droppedT);
    }
    case 'finding': {
      const f = m.findings.find((x) => x.id === selection.id);
      return !f || span(f.openedT, f.resolvedT);
    }
    case 'action': {
      const a = m.actions.find((x) => x.id === selection.id);
      return !a || span(a.startedT, a.settledT);
    }
    case 'emitter':
    case 'event':
      return true;
  }
}

import { sameList } from '../findings.js';

/**
 * Subjects lists shared between growth findings that name the same
 * sessions. A reload leak leaves several events' listeners in every
 * session: each event's finding lists the same stale sessions and follows
 * the same running session, so one list serves them all (the registry keeps
 * lists as passed, and no rule changes a list once passed).
 */
export class SharedSubjects {
  private stale: string[] = [];
  private running: { stale: string[]; id: string; subjects: string[] } | undefined;

  /** `subjects`, or the equal list passed before. */
  share(subjects: string[]): string[] {
    if (!sameList(this.stale, subjects)) this.stale = subjects;
    return this.stale;
  }

  /** `stale` (a list {@link share} returned), then `id`: one copy of the right size, where a spread of thousands of ids goes one by one. */
  followedBy(stale: string[], id: string): string[] {
    const running = this.running;
    if (running && running.stale === stale && running.id === id) return running.subjects;
    // An array to concat: a string argument takes the engine's slow path, element by element.
    const subjects = stale.concat([id]);
    this.running = { stale, id, subjects };
    return subjects;
  }
}

/**
 * An FFI-style room service over a handle table: `connect` stores a room
 * handle with two child track handles; `disconnect` replies at once while
 * the work runs in an async task, as a native bridge server does. In
 * `buggy` mode the task looks the room up only after its await — by then a
 * client that dropped the handle on the reply has made it stale.
 */
import type { HandleId } from '../shared/protocol.js';
import type { HandleTable } from '../agent/types.js';

export interface Room {
  name: string;
  tracks: HandleId[];
  state: 'connected' | 'disconnecting' | 'disconnected';
}

/** The track value: only the kind matters to the demo. */
export interface Track {
  kind: 'audio' | 'video';
  room: string;
}

export interface RoomServiceOptions {
  /** Read at every disconnect, so the mode can switch at runtime. */
  mode: () => 'buggy' | 'fixed';
  /** Milliseconds the disconnect task spends "leaving the room on the media server". */
  taskDelay: number;
}

export class RoomService {
  private readonly tasks = new Set<NodeJS.Timeout>();

  constructor(
    private readonly table: HandleTable<Room | Track>,
    private readonly options: RoomServiceOptions,
  ) {}

  connect(name: string): HandleId {
    const room: Room = { name, tracks: [], state: 'connected' };
    const handle = this.table.store(room, { type: 'room' });
    for (const kind of ['audio', 'video'] as const) {
      room.tracks.push(this.table.store({ kind, room: name }, { type: 'track', parent: handle }));
    }
    return handle;
  }

  /**
   * Returns at once (the caller replies synchronously). A failure of the
   * async task goes to `onTaskError` — the real server aborted here.
   * In fixed mode a stale handle throws HandleError synchronously instead.
   */
  disconnect(handle: HandleId, onTaskError: (error: unknown) => void): void {
    if (this.options.mode() === 'fixed') {
      const room = this.retrieveRoom(handle);
      room.state = 'disconnecting';
      this.spawn(() => this.finishDisconnect(room), onTaskError);
    } else {
      this.spawn(() => {
        const room = this.retrieveRoom(handle); // looked up too late: the client may have dropped it
        this.finishDisconnect(room);
      }, onTaskError);
    }
  }

  /** Drops the room and, by cascade, its tracks. False when it was not live. */
  dispose(handle: HandleId): boolean {
    return this.table.drop(handle);
  }

  /** Drops every still-live room of a closed connection. Returns how many. */
  disposeAll(handles: Iterable<HandleId>): number {
    let dropped = 0;
    for (const handle of handles) {
      if (this.table.has(handle) && this.table.drop(handle)) dropped++;
    }
    return dropped;
  }

  /** Cancels pending tasks (backend shutdown). */
  close(): void {
    for (const timer of this.tasks) clearTimeout(timer);
    this.tasks.clear();
  }

  private retrieveRoom(handle: HandleId): Room {
    const value = this.table.retrieve(handle);
    if (!('tracks' in value)) throw new TypeError(`handle ${handle} is a track, not a room`);
    return value;
  }

  private finishDisconnect(room: Room): void {
    room.state = 'disconnected';
  }

  private spawn(work: () => void, onError: (error: unknown) => void): void {
    const timer = setTimeout(() => {
      this.tasks.delete(timer);
      try {
        work();
      } catch (error) {
        onError(error);
      }
    }, this.options.taskDelay);
    this.tasks.add(timer);
  }
}

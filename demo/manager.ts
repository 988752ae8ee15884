/**
 * The backend's singleton manager: the kind of long-lived EventEmitter a
 * bridge backend exposes to every client session (media state, volume,
 * peers). It keeps emitting on a timer, so a subscription nobody removed
 * keeps being fed.
 */
import { EventEmitter } from 'node:events';

export const MANAGER_EVENTS = ['stateChanged', 'volumeChanged', 'peerJoined'] as const;
export type ManagerEvent = (typeof MANAGER_EVENTS)[number];

export type PlaybackState = 'idle' | 'playing' | 'paused';

export interface ManagerStatus {
  state: PlaybackState;
  volume: number;
  peers: number;
}

export function isManagerEvent(value: unknown): value is ManagerEvent {
  return typeof value === 'string' && (MANAGER_EVENTS as readonly string[]).includes(value);
}

const STATES: PlaybackState[] = ['idle', 'playing', 'paused'];

export class BridgeManager extends EventEmitter {
  private state: PlaybackState = 'idle';
  private volume = 50;
  private peers = 0;
  private tick = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor() {
    super();
    // Every client session subscribes here; the default warning at 10 is the
    // late signal the inspector is meant to beat, not something to print.
    this.setMaxListeners(0);
  }

  getStatus(): ManagerStatus {
    return { state: this.state, volume: this.volume, peers: this.peers };
  }

  setVolume(volume: number): ManagerStatus {
    this.volume = Math.max(0, Math.min(100, Math.round(volume)));
    this.emit('volumeChanged', { volume: this.volume });
    return this.getStatus();
  }

  /** Emits one of the manager's events every `intervalMs`, in turn. */
  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => this.step(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One simulated change; exposed so tests can drive emits without a timer. */
  step(): void {
    const event = MANAGER_EVENTS[this.tick++ % MANAGER_EVENTS.length];
    switch (event) {
      case 'stateChanged':
        this.state = STATES[(STATES.indexOf(this.state) + 1) % STATES.length];
        this.emit('stateChanged', { state: this.state });
        break;
      case 'volumeChanged':
        this.setVolume(this.volume >= 100 ? 0 : this.volume + 5);
        break;
      case 'peerJoined':
        this.peers++;
        this.emit('peerJoined', { peers: this.peers });
        break;
    }
  }
}

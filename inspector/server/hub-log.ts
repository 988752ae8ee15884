import type { Logger } from '../../shared/logger.js';

/** How long repeats of one kind of log line are counted instead of printed. */
export const LOG_WINDOW_MS = 60_000;

interface Window {
  printed: number;
  repeats: number;
  last: string;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The hub's log, for lines anyone on the network can cause (a token-less
 * dial, a bad frame, a flood): the first `burst` lines of a kind in a window
 * are printed at once (one, unless the kind says more), the rest are
 * counted and summed up in one line when the window ends. A flood costs the
 * terminal a few lines a minute per kind, not one per attempt. Messages must
 * already be printable (shared/printable.ts).
 */
export class HubLog {
  private readonly windows = new Map<string, Window>();

  constructor(
    readonly logger: Logger,
    private readonly windowMs = LOG_WINDOW_MS,
  ) {}

  warn(kind: string, message: string, burst = 1): void {
    this.write('warn', kind, message, burst);
  }

  error(kind: string, message: string, burst = 1): void {
    this.write('error', kind, message, burst);
  }

  debug(kind: string, message: string, burst = 1): void {
    this.write('debug', kind, message, burst);
  }

  /** Prints what is still counted and stops the timers. */
  close(): void {
    for (const [kind, window] of this.windows) {
      clearTimeout(window.timer);
      this.summarise(kind, window);
    }
    this.windows.clear();
  }

  private write(level: 'warn' | 'error' | 'debug', kind: string, message: string, burst: number): void {
    const open = this.windows.get(kind);
    if (open && open.printed >= burst) {
      open.repeats++;
      open.last = message;
      return;
    }
    this.emit(level, message);
    if (open) {
      open.printed++;
      return;
    }
    const window: Window = {
      printed: 1,
      repeats: 0,
      last: message,
      timer: setTimeout(() => {
        this.windows.delete(kind);
        this.summarise(kind, window, level);
      }, this.windowMs),
    };
    window.timer.unref();
    this.windows.set(kind, window);
  }

  private summarise(kind: string, window: Window, level: 'warn' | 'error' | 'debug' = 'warn'): void {
    if (window.repeats === 0) return;
    const seconds = Math.round(this.windowMs / 1000);
    this.emit(level, `${window.repeats} more like this (${kind}) in the last ${seconds} s; the latest: ${window.last}`);
  }

  private emit(level: 'warn' | 'error' | 'debug', message: string): void {
    if (level === 'debug') this.logger.debug?.(message);
    else this.logger[level](message);
  }
}

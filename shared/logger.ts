/** Where the agent and the hub report what they cannot throw. `debug` carries attach/detach notices. */
export interface Logger {
  debug?(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
}

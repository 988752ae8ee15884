/** Cadence knobs shared by the backend and client processes (tests run them fast). */
export interface Cadence {
  /** Milliseconds between manager emits. Default 200. */
  emitEvery: number;
  /** Milliseconds between client reloads. Default 1500. */
  reloadEvery: number;
  /** Reloads a reloading client makes; default 4 (sessions 1→5) for leaky, unlimited for fixed. */
  reloads?: number;
  /** Handle-race cycles. Default 5. */
  raceCycles: number;
  /** Milliseconds the backend's disconnect task takes. Default 100. */
  taskDelay: number;
}

export const DEFAULT_CADENCE: Cadence = {
  emitEvery: 200,
  reloadEvery: 1500,
  raceCycles: 5,
  taskDelay: 100,
};

export const DEFAULT_LEAKY_RELOADS = 4;

/** Process argv for the cadence fields that differ from the defaults. */
export function cadenceArgs(cadence: Partial<Cadence>): string[] {
  const args: string[] = [];
  if (cadence.emitEvery !== undefined) args.push('--emit-every', String(cadence.emitEvery));
  if (cadence.reloadEvery !== undefined) args.push('--reload-every', String(cadence.reloadEvery));
  if (cadence.reloads !== undefined) args.push('--reloads', String(cadence.reloads));
  if (cadence.raceCycles !== undefined) args.push('--race-cycles', String(cadence.raceCycles));
  if (cadence.taskDelay !== undefined) args.push('--task-delay', String(cadence.taskDelay));
  return args;
}

/** parseArgs option specs for the cadence flags. */
export const CADENCE_FLAGS = {
  'emit-every': { type: 'string' },
  'reload-every': { type: 'string' },
  reloads: { type: 'string' },
  'race-cycles': { type: 'string' },
  'task-delay': { type: 'string' },
} as const;

/** The cadence fields given as flags (absent ones stay absent, so they can be passed on unchanged). */
export function readCadenceFlags(values: Partial<Record<keyof typeof CADENCE_FLAGS, string | boolean | undefined>>): Partial<Cadence> {
  const cadence: Partial<Cadence> = {};
  const text = (flag: keyof typeof CADENCE_FLAGS): string | undefined => {
    const value = values[flag];
    return typeof value === 'string' ? value : undefined;
  };
  const emitEvery = text('emit-every');
  const reloadEvery = text('reload-every');
  const reloads = text('reloads');
  const raceCycles = text('race-cycles');
  const taskDelay = text('task-delay');
  if (emitEvery !== undefined) cadence.emitEvery = positiveInt('--emit-every', emitEvery);
  if (reloadEvery !== undefined) cadence.reloadEvery = positiveInt('--reload-every', reloadEvery);
  if (reloads !== undefined) cadence.reloads = nonNegativeInt('--reloads', reloads);
  if (raceCycles !== undefined) cadence.raceCycles = nonNegativeInt('--race-cycles', raceCycles);
  if (taskDelay !== undefined) cadence.taskDelay = nonNegativeInt('--task-delay', taskDelay);
  return cadence;
}

export function nonNegativeInt(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} expects a whole number, got "${text}"`);
  return value;
}

export function positiveInt(flag: string, text: string): number {
  const value = nonNegativeInt(flag, text);
  if (value === 0) throw new Error(`${flag} must be greater than 0`);
  return value;
}

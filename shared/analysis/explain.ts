/**
 * Wording shared by the rules' explanations, so every finding names its
 * owner, creation site and age the same way.
 */
import type { Stack } from '../protocol.js';
import type { ConnectionModel } from './types.js';

/** `connection c3 (label "room", client "app-1", peer 127.0.0.1:50412)`; unknown ids are named as given. */
export function describeConnection(id: string, conn: ConnectionModel | undefined): string {
  if (!conn) return `connection ${id}`;
  const parts: string[] = [];
  if (conn.label) parts.push(`label "${conn.label}"`);
  if (conn.client) parts.push(`client "${conn.client}"`);
  if (conn.peer) parts.push(`peer ${conn.peer}`);
  else if (conn.server) parts.push(`server ${conn.server}`);
  return parts.length > 0 ? `connection ${id} (${parts.join(', ')})` : `connection ${id}`;
}

/**
 * The frame to name for "created at …": the innermost one in the user's own
 * code, outside `node_modules` and Node's internals (a library that
 * subscribes on the app's behalf is not where the app can fix it), else the
 * innermost frame there is.
 */
export function topFrame(stack: Stack | undefined): string | undefined {
  if (!stack || stack.length === 0) return undefined;
  let first: string | undefined;
  for (const line of stack) {
    const frame = typeof line === 'string' ? line.trim() : '';
    if (!frame) continue;
    first ??= frame;
    if (isUserFrame(frame)) return bare(frame);
  }
  return first === undefined ? undefined : bare(first);
}

function isUserFrame(frame: string): boolean {
  // Also not V8's own built-ins (`new Promise (<anonymous>)`, `Array.map (<anonymous>)`).
  return (
    !/[\\/]node_modules[\\/]/.test(frame) &&
    !frame.includes('(node:') &&
    !frame.startsWith('at node:') &&
    !frame.includes('(internal/') &&
    !frame.endsWith('(<anonymous>)') &&
    !frame.endsWith(' <anonymous>')
  );
}

function bare(frame: string): string {
  return frame.startsWith('at ') ? frame.slice(3) : frame;
}

/** ` Created at fn (file:1:2).` or a note that no stack was captured. */
export function createdAt(stack: Stack | undefined, verb = 'Created'): string {
  const frame = topFrame(stack);
  return frame ? `${verb} at ${frame}.` : `${verb} at an unknown place (no creation stack was captured).`;
}

/** `850 ms`, `2.5 s`, `3 min 20 s`. */
export function duration(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${trimZero((value / 1000).toFixed(1))} s`;
  const minutes = Math.floor(value / 60_000);
  const seconds = Math.round((value - minutes * 60_000) / 1000);
  return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

function trimZero(text: string): string {
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}

/**
 * `3 → 6 → 9`; a long series keeps its first three and last three values:
 * `1 → 2 → 3 → … → 14 → 15 → 16`. `then`: one more value after `values`
 * (without copying a long series to add it).
 */
export function progression(values: readonly number[], then?: number): string {
  const count = values.length + (then === undefined ? 0 : 1);
  const at = (i: number): number => (i < values.length ? values[i]! : then!);
  // Built without arrays: a growth finding is worded again with every event of its running session.
  if (count > 7) return `${at(0)} → ${at(1)} → ${at(2)} → … → ${at(count - 3)} → ${at(count - 2)} → ${at(count - 1)}`;
  let text = count > 0 ? `${at(0)}` : '';
  for (let i = 1; i < count; i++) text += ` → ${at(i)}`;
  return text;
}

/** `1 listener`, `2 listeners`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

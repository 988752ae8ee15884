import { fileURLToPath } from 'node:url';
import type { Stack } from '../../shared/protocol.js';

/** The agent's own source folder (`agent/` or `dist/agent/`): its frames are never app frames. */
const agentDir = fileURLToPath(new URL('..', import.meta.url));
const agentUrl = new URL('..', import.meta.url).href;

/** Extra frames to capture so that, after dropping agent, Node and library frames, `frames` app frames and the app's own first one remain. */
const FRAME_SLACK = 20;

/**
 * Captures creation stacks as app frames only: `at subscribe (/app/server.js:42:7)`,
 * innermost first. `frames` 0 turns capturing off (returns undefined).
 */
export function createStackCapture(frames: number): () => Stack | undefined {
  if (frames <= 0) return () => undefined;
  return function captureStack(): Stack | undefined {
    const holder: { stack?: string } = {};
    const limit = Error.stackTraceLimit;
    // Raised only while capturing so the app's own errors keep their limit.
    Error.stackTraceLimit = frames + FRAME_SLACK;
    try {
      Error.captureStackTrace(holder, captureStack);
    } finally {
      Error.stackTraceLimit = limit;
    }
    return lazyStack(() => appFrames(holder.stack ?? '', frames));
  };
}

/**
 * An array filled on first use. V8 formats a captured stack only when
 * `.stack` is read — the expensive part — and most creation stacks are never
 * read: they are evicted from the ring before any inspector asks. Sending
 * one (JSON) or explaining a finding reads it.
 */
function lazyStack(format: () => Stack): Stack {
  const frames: Stack = [];
  let filled = false;
  const fill = (): Stack => {
    if (!filled) {
      filled = true;
      frames.push(...format());
    }
    return frames;
  };
  return new Proxy(frames, {
    get: (_target, key) => Reflect.get(fill(), key),
    has: (_target, key) => Reflect.has(fill(), key),
    ownKeys: () => Reflect.ownKeys(fill()),
    getOwnPropertyDescriptor: (_target, key) => Reflect.getOwnPropertyDescriptor(fill(), key),
  });
}

/**
 * The first `max` frames of a V8 stack text that belong to the app, and when
 * all of those are inside `node_modules` (a library subscribing on the app's
 * behalf), the first frame of the app's own code after them as well: that
 * is where a finding says it was added.
 */
export function appFrames(text: string, max: number): Stack {
  const out: Stack = [];
  let own = false;
  const lines = text.split('\n');
  // Line 0 is the message ("Error"); frames follow.
  for (let i = 1; i < lines.length && (out.length < max || !own); i++) {
    const frame = lines[i]!.trim();
    if (!frame.startsWith('at ') || !isAppFrame(frame)) continue;
    const mine = !NODE_MODULES.test(frame);
    if (out.length < max || mine) out.push(frame);
    own ||= mine;
  }
  return out;
}

const NODE_MODULES = /[\\/]node_modules[\\/]/;

function isAppFrame(frame: string): boolean {
  // Node's own modules (`node:events`, `node:internal/...`) are never where the app subscribed.
  if (frame.includes('(node:') || frame.startsWith('at node:')) return false;
  const inAgent = frame.includes(agentDir) || frame.includes(agentUrl);
  // The agent's tests live next to its code but are app code for this purpose.
  return !inAgent || /\.test\.(?:util\.)?[cm]?[jt]s:/.test(frame);
}

/**
 * Chromium driven the way a user's browser runs: over the DevTools protocol
 * with only the Page, Runtime, Emulation and Input domains, never Network.
 * Playwright enables Network on every page it drives, and Chromium then
 * reports every WebSocket frame to it, payload included: with the agent
 * sending 200 frames a second, the browser process and Playwright spent
 * 1.8 s of CPU in 4 s beside the page's 2.7 on 2 cores (2026-12-04: the UI
 * kept up with 50,000 events/s under Playwright and 200,000 in this
 * browser, on the same machine). The UI benchmarks measure the UI, so they
 * drive it with this; the e2e tests keep Playwright.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CHROMIUM_ARGS, chromiumExecutable } from '../../e2e/fixtures/chromium.js';

/** The e2e tests' flags, and what Playwright adds that keeps a headless page running at full speed. */
const ARGS = [...CHROMIUM_ARGS, '--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows', '--disable-renderer-backgrounding'];

/** The e2e tests' Chromium; the benchmarks have no Playwright browser to fall back on. */
function chromiumPath(): string {
  const path = chromiumExecutable();
  if (!path) throw new Error('no Chromium at /usr/bin/chromium: install it (apt-get install chromium) or set BRIDGESCOPE_CHROMIUM');
  return path;
}

interface Reply {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

/** A headless Chromium and its protocol pipe (--remote-debugging-pipe: fd 3 in, fd 4 out, NUL-terminated JSON). */
export class CdpBrowser {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<(message: Reply) => void>();
  private exited: Error | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    const output = child.stdio[4] as Readable;
    let pending = '';
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => {
      const parts = (pending + chunk).split('\0');
      pending = parts.pop()!;
      for (const part of parts) this.receive(JSON.parse(part) as Reply);
    });
    child.stderr!.resume();
    // A browser that dies breaks its pipe under us; its exit is what reports that.
    output.on('error', () => {});
    (child.stdio[3] as Writable).on('error', () => {});
    child.once('exit', (code, signal) => this.stopped(new Error(`Chromium exited (${signal ?? code})`)));
    child.once('error', (error) => this.stopped(error));
  }

  static async launch(): Promise<CdpBrowser> {
    const profile = mkdtempSync(join(tmpdir(), 'bridgescope-chromium-'));
    const child = spawn(chromiumPath(), ['--headless', '--remote-debugging-pipe', `--user-data-dir=${profile}`, ...ARGS, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    const browser = new CdpBrowser(child, profile);
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      await browser.send('Browser.getVersion');
    } catch (error) {
      await browser.close();
      throw error;
    }
    return browser;
  }

  /** A page in a context of its own (no cookies, cache or storage shared with earlier pages), `width` × `height` CSS pixels. */
  async newPage(width: number, height: number): Promise<CdpPage> {
    const { browserContextId } = await this.send('Target.createBrowserContext');
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank', browserContextId });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new CdpPage(this, sessionId as string, browserContextId as string);
    await page.send('Page.enable');
    await page.send('Runtime.enable');
    await page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    return page;
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(this.exited);
    const id = ++this.nextId;
    const reply = new Promise<Record<string, unknown>>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    (this.child.stdio[3] as Writable).write(`${JSON.stringify({ id, method, params, ...(sessionId && { sessionId }) })}\0`);
    return reply;
  }

  /** Calls `listener` with every event the browser sends; returns the function that stops it. */
  onEvent(listener: (message: Reply) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    if (!this.exited) {
      const exit = new Promise((resolve) => this.child.once('exit', resolve));
      // Asked to close, Chromium stops its other processes first; a killed one leaves them writing to the profile.
      this.send('Browser.close').catch(() => {});
      const kill = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(kill);
    }
    // Its crash handler may still be writing there for a moment.
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }

  private stopped(reason: Error): void {
    this.exited ??= reason;
    for (const { reject } of this.waiting.values()) reject(reason);
    this.waiting.clear();
  }

  private receive(message: Reply): void {
    if (message.id === undefined) {
      for (const listener of this.listeners) listener(message);
      return;
    }
    const waiter = this.waiting.get(message.id);
    this.waiting.delete(message.id);
    if (message.error) waiter?.reject(new Error(message.error.message));
    else waiter?.resolve(message.result ?? {});
  }
}

/** One page: scripts before its own, navigation, evaluation, and real mouse input. */
export class CdpPage {
  /** The first uncaught exception in the page, if any. */
  readonly crashed: Promise<string>;
  private readonly stopListening: () => void;

  constructor(
    private readonly browser: CdpBrowser,
    private readonly sessionId: string,
    private readonly contextId: string,
  ) {
    let crash: (message: string) => void = () => {};
    this.crashed = new Promise((resolve) => (crash = resolve));
    this.stopListening = browser.onEvent((message) => {
      if (message.sessionId !== sessionId || message.method !== 'Runtime.exceptionThrown') return;
      const details = message.params!.exceptionDetails as { text: string; exception?: { description?: string } };
      crash(details.exception?.description ?? details.text);
    });
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.browser.send(method, params, this.sessionId);
  }

  async addInitScript(source: string): Promise<void> {
    await this.send('Page.addScriptToEvaluateOnNewDocument', { source });
  }

  async goto(url: string): Promise<void> {
    const { errorText } = await this.send('Page.navigate', { url });
    if (errorText) throw new Error(`could not open ${url}: ${errorText}`);
  }

  /** The value of `expression` (a JSON value, or a promise of one) in the page. */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = (await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as {
      result: { value: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    return result.value;
  }

  /** Resolves once `expression` is truthy in the page (checked every `pollMs`); rejects after `timeoutMs`. */
  async waitFor(expression: string, { timeoutMs = 30_000, pollMs = 100 } = {}): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!(await this.evaluate<boolean>(`Boolean(${expression})`))) {
      if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** The centre of the element `selector` finds, in CSS pixels (it must be there). */
  async centre(selector: string): Promise<{ x: number; y: number }> {
    const point = await this.evaluate<{ x: number; y: number } | null>(
      `(() => { const e = ${selector}; if (!e) return null; const r = e.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()`,
    );
    if (!point) throw new Error(`no element for ${selector}`);
    return point;
  }

  /** A real click (mouse down and up) at the centre of the element `selector` finds. */
  async click(selector: string): Promise<void> {
    const { x, y } = await this.centre(selector);
    await this.mouse('mouseMoved', x, y);
    await this.mouse('mousePressed', x, y, { button: 'left', clickCount: 1 });
    await this.mouse('mouseReleased', x, y, { button: 'left', clickCount: 1 });
  }

  async mouse(type: string, x: number, y: number, extra: Record<string, unknown> = {}): Promise<void> {
    await this.send('Input.dispatchMouseEvent', { type, x, y, ...extra });
  }

  /** A wheel step of `deltaY` pixels at (x, y). */
  async wheel(x: number, y: number, deltaY: number): Promise<void> {
    await this.mouse('mouseWheel', x, y, { deltaX: 0, deltaY });
  }

  /** Closes the page and its context. */
  async close(): Promise<void> {
    this.stopListening();
    await this.browser.send('Target.disposeBrowserContext', { browserContextId: this.contextId });
  }
}

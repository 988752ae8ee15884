/**
 * Starting and stopping the demo's child processes. From source (this file
 * is .ts) children run through tsx; from the built package they are plain
 * .js files. Every child gets an IPC channel: it reports readiness over it
 * and exits when the channel closes, so no child outlives its parent.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const fromSource = import.meta.url.endsWith('.ts');

/** A sibling module of this file as a path, with this file's extension. */
export function demoModulePath(name: 'backend' | 'client'): string {
  return fileURLToPath(new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, import.meta.url));
}

function nodeArgs(file: string): string[] {
  if (!fromSource) return [file];
  // Resolve tsx from this package, not from whatever directory the user is in.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx, file];
}

/** stderr is always inherited so a child's crash is never silent; stdout only on request. */
export function spawnDemoProcess(name: 'backend' | 'client', args: string[], stdout: 'inherit' | 'ignore' = 'ignore'): ChildProcess {
  const io: StdioOptions = ['ignore', stdout, 'inherit', 'ipc'];
  return spawn(process.execPath, [...nodeArgs(demoModulePath(name)), ...args], { stdio: io });
}

/** Resolves with the first IPC message matching `accept`; rejects if the child exits or the time runs out. */
export function waitForMessage<T>(child: ChildProcess, accept: (message: unknown) => message is T, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: unknown): void => {
      if (!accept(message)) return;
      cleanup();
      resolve(message);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      cleanup();
      reject(new Error(`${what} exited before it was ready (${signal ?? `code ${code}`})`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what} was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (!isRunning(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

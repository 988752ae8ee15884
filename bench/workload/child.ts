/**
 * Benchmark children: modules of this folder forked with an IPC channel.
 * Each child answers commands with one message; these helpers wait for the
 * message of a given type and tear the child down without leaving it behind.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Child {
  process: ChildProcess;
  /** Sends a command. */
  send(message: object): void;
  /** The next message whose `type` is `type` (rejects when the child exits first or after `timeoutMs`). */
  next<T extends { type: string }>(type: string, timeoutMs?: number): Promise<T>;
  /** Asks the child to exit, then kills it if it has not within a second. */
  stop(): Promise<void>;
}

/**
 * A module of this folder and the Node flags it runs with, in the form this
 * one runs in: compiled JavaScript (`npm run bench`), or TypeScript under tsx.
 */
export function workload(name: string): { file: string; execArgv: string[] } {
  const compiled = import.meta.url.endsWith('.js');
  return {
    file: fileURLToPath(new URL(`./${name}${compiled ? '.js' : '.ts'}`, import.meta.url)),
    execArgv: compiled ? [] : ['--import', 'tsx'],
  };
}

/** Forks bench/workload/<name>; `execArgv` adds Node flags (e.g. --expose-gc). */
export function startChild(name: string, args: string[] = [], execArgv: string[] = []): Child {
  const module = workload(name);
  const child = fork(module.file, args, { execArgv: [...execArgv, ...module.execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: { type: string }[] = [];
  const waiters: { type: string; resolve: (m: { type: string }) => void; reject: (e: Error) => void }[] = [];
  let exited = false;
  child.on('message', (message: { type: string }) => {
    const i = waiters.findIndex((w) => w.type === message.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(message);
    else inbox.push(message);
  });
  child.on('exit', (code, signal) => {
    exited = true;
    for (const w of waiters.splice(0)) w.reject(new Error(`bench child ${name} exited (${code ?? signal}) while waiting for "${w.type}"`));
  });
  return {
    process: child,
    send: (message) => {
      if (!exited) child.send(message);
    },
    next<T extends { type: string }>(type: string, timeoutMs = 120_000): Promise<T> {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0] as T);
      if (exited) return Promise.reject(new Error(`bench child ${name} has exited`));
      return new Promise<T>((resolve, reject) => {
        const waiter = {
          type,
          resolve: (m: { type: string }) => {
            clearTimeout(timer);
            resolve(m as T);
          },
          reject: (e: Error) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`bench child ${name}: no "${type}" within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 1000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.send({ type: 'exit' }, (err) => {
          if (err) child.kill('SIGKILL');
        });
      }),
  };
}

/** In a child: handle commands from the parent; `exit` always ends the process. */
export function onCommand(handler: (message: { type: string } & Record<string, unknown>) => void | Promise<void>): void {
  process.on('message', (message: { type: string } & Record<string, unknown>) => {
    if (message.type === 'exit') {
      process.exit(0);
    }
    Promise.resolve()
      .then(() => handler(message))
      .catch((err: unknown) => {
        console.error(err);
        process.exit(1);
      });
  });
  process.on('disconnect', () => process.exit(0));
}

/** In a child: reply to the parent. */
export function reply(message: { type: string } & Record<string, unknown>): void {
  process.send?.(message);
}

/**
 * In a server child: `cpu-start` / `cpu-stop` bracket a measured slice; the
 * reply `cpu` is the process's CPU time (user + system) in between, in µs.
 */
export function answerCpu(): void {
  let cpuAtStart = process.cpuUsage();
  onCommand((command) => {
    if (command.type === 'cpu-start') cpuAtStart = process.cpuUsage();
    if (command.type === 'cpu-stop') {
      const used = process.cpuUsage(cpuAtStart);
      reply({ type: 'cpu', micros: used.user + used.system });
    }
  });
}

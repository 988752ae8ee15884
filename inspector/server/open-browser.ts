import { spawn } from 'node:child_process';

/**
 * Opens `url` in the default browser when the platform has a way to (open,
 * start, xdg-open). Fails quietly: the caller has printed the URL already.
 */
export function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? // `start` is a cmd built-in; its first quoted argument is a window title, and & must be escaped.
          ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true, windowsHide: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No browser launcher: the printed URL is the fallback.
  }
}

/**
 * The browser the UI benchmarks drive: a real Chromium over its protocol
 * pipe, against a real page server on port 0.
 */
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CdpBrowser, type CdpPage } from './cdp-browser.js';

const PAGE = `<!doctype html>
<body style="margin:0">
<button id="go" style="position:absolute;left:100px;top:50px;width:80px;height:30px">go</button>
<div id="list" style="position:absolute;left:0;top:200px;width:300px;height:200px;overflow:auto"><div style="height:5000px"></div></div>
<script>
  window.seenProbe = window.probe;
  window.clicks = [];
  document.getElementById('go').addEventListener('click', (e) => clicks.push(e.isTrusted));
  window.wheels = [];
  document.getElementById('list').addEventListener('wheel', (e) => wheels.push(e.deltaY));
  fetch('/data').then((r) => r.text()).then((t) => (window.fetched = t));
</script>`;

let server: Server;
let base: string;
let browser: CdpBrowser;

beforeAll(async () => {
  server = createServer((req, res) => res.end(req.url === '/data' ? 'some data' : PAGE));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await CdpBrowser.launch();
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function open(): Promise<CdpPage> {
  const page = await browser.newPage(800, 600);
  await page.addInitScript('window.probe = 42;');
  await page.goto(`${base}/`);
  await page.waitFor('window.fetched');
  return page;
}

it('runs the init script before the page, at the asked size, and gives real clicks and wheel steps', async () => {
  const networkEvents: string[] = [];
  const stop = browser.onEvent((message) => message.method?.startsWith('Network.') && networkEvents.push(message.method));
  const page = await open();
  expect(await page.evaluate('[window.seenProbe, innerWidth, innerHeight, window.fetched]')).toEqual([42, 800, 600, 'some data']);

  await page.click(`document.getElementById('go')`);
  expect(await page.evaluate('clicks')).toEqual([true]);
  const { x, y } = await page.centre(`document.getElementById('list')`);
  await page.wheel(x, y, 300);
  await page.waitFor('wheels.length > 0');
  expect(await page.evaluate('wheels')).toEqual([300]);
  await page.waitFor(`document.getElementById('list').scrollTop > 0`);

  // What this browser is for: the page's traffic is not reported to the driver.
  expect(networkEvents).toEqual([]);
  stop();
  await page.close();
});

it('reports an exception the page throws, and an expression that throws', async () => {
  const page = await open();
  await page.evaluate(`setTimeout(() => { throw new Error('boom in the page'); })`);
  expect(await page.crashed).toContain('boom in the page');
  await expect(page.evaluate('missingName.value')).rejects.toThrow(/missingName is not defined/);
  await expect(page.waitFor('false', { timeoutMs: 200 })).rejects.toThrow(/timed out after 200 ms/);
  await page.close();
});

it('a browser that exits at once fails the launch with why, and leaves no profile behind', async () => {
  const profiles = () => readdirSync(tmpdir()).filter((name) => name.startsWith('bridgescope-chromium-')).length;
  const before = profiles();
  const saved = process.env.BRIDGESCOPE_CHROMIUM;
  process.env.BRIDGESCOPE_CHROMIUM = '/bin/false';
  try {
    await expect(CdpBrowser.launch()).rejects.toThrow('Chromium exited (1)');
  } finally {
    if (saved === undefined) delete process.env.BRIDGESCOPE_CHROMIUM;
    else process.env.BRIDGESCOPE_CHROMIUM = saved;
  }
  expect(profiles()).toBe(before);
});

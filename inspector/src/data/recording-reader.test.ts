import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createRecordingHeader, parseRecording, RecordChecker, serializeRecording } from '../../client/recording.js';
import { hello } from '../../client/hello.test-util.js';
import type { RecordingLine } from '../../../shared/protocol.js';
import { decodeLines } from './batch-text.js';
import { readRecording, type ReadProgress, type RecordingSource } from './recording-reader.js';

/** Reads a source the way the page does: batches from the reader, decoded and checked as they come. */
async function open(source: RecordingSource) {
  const progress: ReadProgress[] = [];
  const checker = new RecordChecker();
  await readRecording(source, (p) => {
    progress.push(p);
    if (p.type === 'rows') checker.add({ ...p.batch.rows, text: decodeLines(p.batch.bytes) });
  });
  return { progress, parsed: checker.end() };
}

const lines: RecordingLine[] = [hello('a')];
for (let seq = 1; seq <= 30_000; seq++) lines.push({ type: 'mark', seq, t: seq, label: `mark ${seq} ${'x'.repeat(seq % 100)}` });
const text = serializeRecording(createRecordingHeader(1), lines);

describe('reading a recording in batches', () => {
  it('loads a file exactly as parsing it whole, with its size', async () => {
    const { progress, parsed } = await open({ file: new Blob([text]) });
    expect(progress.filter((p) => p.type === 'rows').at(-1)).toMatchObject({ read: text.length, total: text.length });
    expect(progress.at(-1)).toMatchObject({ type: 'end', stats: { waitMs: expect.any(Number), cutMs: expect.any(Number), batches: expect.any(Number) } });
    expect(parsed).toEqual(parseRecording(text));
    expect(parsed.lines).toHaveLength(lines.length);
  });

  it('reads multi-byte text, a leading BOM, CRLF line ends and an unterminated last line as parsing the text does', async () => {
    const wide: RecordingLine[] = [hello('a')];
    for (let seq = 1; seq <= 20_000; seq++) wide.push({ type: 'mark', seq, t: seq, label: `é€😀 ${seq} ${'ü'.repeat(seq % 50)}` });
    const body = serializeRecording(createRecordingHeader(1), wide).replaceAll('\n', '\r\n').trimEnd();
    const { progress, parsed } = await open({ file: new Blob(['\uFEFF' + body]) });
    expect(parsed).toEqual(parseRecording(body));
    expect(parsed.complete).toBe(true);
    expect(parsed.lines).toHaveLength(wide.length);
    expect(progress.filter((p) => p.type === 'rows').length).toBeGreaterThan(1);
  });

  it('reads a line longer than a batch', async () => {
    const long = serializeRecording(createRecordingHeader(1), [...lines.slice(0, 100), { type: 'mark', seq: 100, t: 100, label: 'x'.repeat(3 << 20) }, ...lines.slice(101, 200)]);
    const { parsed } = await open({ file: new Blob([long]) });
    expect(parsed).toEqual(parseRecording(long));
    expect(parsed.complete).toBe(true);
  });

  it('finds the broken row inside a batch, with its line number, and keeps what came before', async () => {
    const rows = text.split('\n');
    rows[20_001] = '{"type":"mark","seq":';
    const broken = rows.join('\n');
    const { parsed } = await open({ file: new Blob([broken]) });
    expect(parsed.errors).toEqual([{ line: 20_002, message: 'line 20002: not valid JSON' }]);
    expect(parsed.lines).toHaveLength(20_000);
    expect(parsed).toEqual(parseRecording(broken));
  });

  it('hands a served recording over in batches as it streams, and reports a refused one as failed', async () => {
    const server = createServer((req, res) => {
      if (req.url !== '/recording') return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Length': Buffer.byteLength(text) });
      for (let at = 0; at < text.length; at += 65_536) res.write(text.slice(at, at + 65_536));
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const served = await open({ url: `${base}/recording` });
      expect(served.parsed).toEqual(parseRecording(text));
      const batches = served.progress.filter((p) => p.type === 'rows');
      expect(batches.length).toBeGreaterThan(1);
      expect(batches[0]).toMatchObject({ total: text.length });
      expect(batches[0]!.read).toBeLessThan(text.length);
      const refused = await open({ url: `${base}/missing` });
      expect(refused.progress).toEqual([{ type: 'failed', message: 'the server answered 404 for /recording' }]);
    } finally {
      server.close();
    }
  });
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from './protocol.js';
import { eventProblem, isRetiredEvent } from './validate-event.js';

/** Every example event in docs/protocol.md's "Events" section, in order. */
function documentedEvents(): Record<string, unknown>[] {
  const doc = readFileSync(fileURLToPath(new URL('../docs/protocol.md', import.meta.url)), 'utf8');
  const section = doc.slice(doc.indexOf('\n## Events'), doc.indexOf('\n## Errors'));
  const events: Record<string, unknown>[] = [];
  for (const [, block] of section.matchAll(/```json\n([\s\S]*?)```/g)) {
    try {
      events.push(JSON.parse(block!) as Record<string, unknown>);
    } catch {
      for (const line of block!.split('\n')) if (line.trim()) events.push(JSON.parse(line) as Record<string, unknown>);
    }
  }
  return events;
}

const documented = documentedEvents();

describe('event validation', () => {
  it('accepts every event docs/protocol.md shows, and the docs show every event type', () => {
    expect(new Set(documented.map((e) => e.type))).toEqual(new Set(EVENT_TYPES));
    for (const event of documented) expect(eventProblem(event), JSON.stringify(event)).toBeUndefined();
  });

  it('names the field and what it must be when any field of any documented event has the wrong type', () => {
    for (const event of documented) {
      for (const field of Object.keys(event)) {
        if (field === 'type') continue;
        const wrong = field === 'result' ? 'clean' : { not: 'this' };
        const problem = eventProblem({ ...event, [field]: wrong });
        expect(problem, `${String(event.type)}.${field}`).toContain(`${field} must be`);
      }
    }
  });

  it('skips what the security review sent, with a readable reason', () => {
    const settle = documented.find((e) => e.type === 'action.settle')!;
    expect(eventProblem({ ...settle, result: null })).toBe(
      '"action.settle" event seq 24: result must be an object {verdict, duration, listenersRemoved, handlesDropped, …}, not null',
    );
    const add = documented.find((e) => e.type === 'listener.add')!;
    expect(eventProblem({ ...add, event: {} })).toBe('"listener.add" event seq 13: event must be a string, not an object');
    expect(eventProblem({ type: 'finding.open', seq: 4, t: 1, finding: null })).toBe('"finding.open" event seq 4: finding must be an object, not null');
    expect(eventProblem({})).toBe('unknown event type missing');
    expect(eventProblem(null)).toBe('an event must be a JSON object');
    expect(eventProblem([add])).toBe('an event must be a JSON object');
    expect(eventProblem({ ...add, type: 'conn.teleport' })).toBe('unknown event type "conn.teleport"');
    for (const type of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(eventProblem({ type, seq: 1, t: 1 })).toBe(`unknown event type "${type}"`);
      expect(isRetiredEvent(type)).toBe(false);
    }
  });

  it('wants a positive integer seq and a numeric t', () => {
    const mark = { type: 'mark', seq: 3, t: 1, label: 'x' };
    for (const seq of [0, -1, 1.5, '3', null, 2 ** 60]) expect(eventProblem({ ...mark, seq }), String(seq)).toMatch(/^"mark" event: seq must be a positive integer/);
    for (const t of ['1', null, Number.POSITIVE_INFINITY]) expect(eventProblem({ ...mark, t }), String(t)).toMatch(/^"mark" event seq 3: t must be a number/);
  });

  it('lets optional fields be left out but not be null, and checks inside lists and results', () => {
    const open = documented.find((e) => e.type === 'conn.open')!;
    const { label: _label, client: _client, peer: _peer, stack: _stack, ...bare } = open;
    expect(eventProblem(bare)).toBeUndefined();
    expect(eventProblem({ ...bare, label: null })).toContain('label must be a string, not null');
    expect(eventProblem({ ...bare, actions: [{ name: 'close' }] })).toContain('actions must be a list of {name, source, label?}');
    expect(eventProblem({ ...bare, stack: ['at x', 3] })).toContain('stack must be a list of strings');
    const { actions: _actions, ...noActions } = bare;
    expect(eventProblem(noActions)).toContain('actions must be a list of {name, source, label?}, not missing');
    const stuck = documented.filter((e) => e.type === 'action.settle')[1]!;
    expect(eventProblem({ ...stuck, result: { ...(stuck.result as object), remaining: { listeners: 2 } } })).toContain('result must be');
    expect(eventProblem({ ...stuck, result: { ...(stuck.result as object), error: { code: 'E' } } })).toContain('result must be');
  });

  it('tells retired finding events apart, so a well-formed one is skipped quietly', () => {
    expect(eventProblem({ type: 'finding.open', seq: 4, t: 1, finding: { id: 'x' } })).toBeUndefined();
    expect(eventProblem({ type: 'finding.resolve', seq: 5, t: 1, id: 'x' })).toBeUndefined();
    expect(isRetiredEvent('finding.open')).toBe(true);
    expect(isRetiredEvent('finding.resolve')).toBe(true);
    for (const type of EVENT_TYPES) expect(isRetiredEvent(type)).toBe(false);
  });

  it('long values are cut short in the message', () => {
    expect(eventProblem({ type: 'mark', seq: 1, t: 1, label: 7 })).toBe('"mark" event seq 1: label must be a string, not 7');
    expect(eventProblem({ type: 'x'.repeat(100), seq: 1, t: 1 })).toBe(`unknown event type "${'x'.repeat(36)}…`);
  });
});

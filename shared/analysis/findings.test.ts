import { describe, expect, it } from 'vitest';
import type { Finding } from '../protocol.js';
import { FindingRegistry } from './findings.js';

const spec = (i: number) => ({
  rule: 'emit-after-close' as const,
  subject: `c${i}`,
  severity: 'error' as const,
  title: 't',
  message: 'm',
  subjects: [`c${i}`],
  evidence: [i],
  openedSeq: i,
  openedT: i,
});

describe('findings history', () => {
  it('announces open findings it has to forget at the cap, so the agent stops keeping them for snapshots', () => {
    const list: Finding[] = [];
    const registry = new FindingRegistry(list, () => {}, 10);
    for (let i = 1; i <= 11; i++) registry.open(spec(i));
    expect(list.length).toBe(9);
    const { resolved } = registry.takeChanges();
    expect(resolved.map((f) => f.id)).toEqual(['emit-after-close:c1', 'emit-after-close:c2']);
  });

  it('never gives a recurring finding an id an earlier one had, even after history forgot the earlier ones', () => {
    const registry = new FindingRegistry([], () => {}, 10);
    const ids: string[] = [];
    for (let i = 1; i <= 25; i++) {
      const finding = registry.open(spec(1));
      ids.push(finding.id);
      registry.resolve(finding, i, i);
    }
    expect(new Set(ids).size).toBe(25);
    expect(ids.slice(0, 3)).toEqual(['emit-after-close:c1', 'emit-after-close:c1#2', 'emit-after-close:c1#3']);
    expect(ids.at(-1)).toBe('emit-after-close:c1#25');
  });

  it('keeps exactly the subjects of an updated finding pinned, and releases the ones it dropped', () => {
    const released: string[] = [];
    const registry = new FindingRegistry([], (id) => released.push(id));
    const finding = registry.open({ ...spec(1), subjects: ['e1', 'c1', 'c2', 'c3'] });
    const pinned = () => ['e1', 'c1', 'c2', 'c3', 'c4', 'c5'].filter((id) => registry.isPinned(id));
    for (const [subjects, expected, gone] of [
      [['e1', 'c1', 'c2', 'c3', 'c4'], ['e1', 'c1', 'c2', 'c3', 'c4'], []],
      [['e1', 'c1', 'c3', 'c4'], ['e1', 'c1', 'c3', 'c4'], ['c2']],
      [['e1', 'c1', 'c3', 'c5'], ['e1', 'c1', 'c3', 'c5'], ['c4']],
      [['e1', 'c5', 'c1'], ['e1', 'c1', 'c5'], ['c3']],
      [['c5'], ['c5'], ['e1', 'c1']],
    ] as const) {
      released.length = 0;
      registry.update(finding, { title: 't', message: subjects.join(), subjects: [...subjects], evidence: [1] });
      expect(pinned()).toEqual(expected);
      expect(released).toEqual(gone);
    }
  });
});

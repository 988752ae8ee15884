import { describe, expect, it } from 'vitest';
import { SteadyMap } from './steady-map.js';

describe('SteadyMap', () => {
  it('behaves as an ordinary Map to its users through emptying and refilling', () => {
    const map = new SteadyMap<number, string>();
    expect(map.size).toBe(0);
    expect([...map.values()]).toEqual([]);
    for (let round = 0; round < 3; round++) {
      map.set(1, 'a');
      map.set(2, 'b');
      expect(map.size).toBe(2);
      expect(map.get(2)).toBe('b');
      expect([...map.values()]).toEqual(['a', 'b']);
      expect(map.delete(1)).toBe(true);
      expect(map.delete(1)).toBe(false);
      expect(map.delete(2)).toBe(true);
      expect(map.size).toBe(0);
      expect(map.has(1)).toBe(false);
      expect([...map.values()]).toEqual([]);
    }
  });

  it('is empty after clear and usable again', () => {
    const map = new SteadyMap<string, number>();
    map.set('x', 1);
    map.clear();
    expect(map.size).toBe(0);
    expect([...map.values()]).toEqual([]);
    map.set('y', 2);
    expect([...map.values()]).toEqual([2]);
  });
});

import { describe, expect, it } from 'vitest';
import { distinctMarkers, type Marker } from './chart-markers.js';
import { timeAxisTitle, timeTicks } from './time-ticks.js';

const T0 = new Date(2024, 0, 1, 14, 3, 7, 250).getTime();

describe('time ticks', () => {
  it('are evenly spaced at a round step, each label distinct', () => {
    const { ticks, step, format } = timeTicks(T0, T0 + 23_000, 8);
    expect(step).toBe(5000);
    expect(ticks.map(format)).toEqual(['14:03:10', '14:03:15', '14:03:20', '14:03:25', '14:03:30']);
    expect(new Set(ticks.map(format)).size).toBe(ticks.length);
    expect(ticks.every((t, i) => i === 0 || t - ticks[i - 1]! === step)).toBe(true);
  });

  it('show milliseconds only when the step needs them, minutes alone when it allows', () => {
    const fine = timeTicks(T0, T0 + 1200, 8);
    expect(fine.step).toBe(200);
    expect(fine.ticks.map(fine.format)[0]).toBe('14:03:07.400');
    expect(timeAxisTitle(fine.step)).toBe('local time (h:min:s.ms)');
    const coarse = timeTicks(T0, T0 + 3 * 3_600_000, 8);
    expect(coarse.ticks.map(coarse.format)[0]).toBe('14:30');
    expect(timeAxisTitle(coarse.step)).toBe('local time (h:min)');
  });
});

describe('chart markers', () => {
  it('leaves out markers too close to the previous of their kind, never a restart, and counts them', () => {
    const markers: Marker[] = [
      ...Array.from({ length: 300 }, (_, i) => ({ at: i, kind: 'session' as const, label: `reload ${i + 2}` })),
      { at: 150, kind: 'restart', label: 'restart (run 2)' },
      { at: 151, kind: 'restart', label: 'restart (run 3)' },
    ];
    // 300 sessions over 300 px: one every px.
    const { drawn, hidden } = distinctMarkers(markers, (at) => at, 6);
    expect(drawn.filter((m) => m.kind === 'session')).toHaveLength(50);
    expect(hidden.session).toBe(250);
    expect(drawn.filter((m) => m.kind === 'restart')).toHaveLength(2);
    // Zoomed in 10×, every one is told apart.
    expect(distinctMarkers(markers, (at) => at * 10, 6).hidden).toEqual({});
  });
});

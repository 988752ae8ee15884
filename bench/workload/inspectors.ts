/**
 * Counting inspectors in their own process (pipeline.*): argv <agent url> <n>.
 * Commands:
 *   arm { start, end }  → started once every inspector saw mark `start`,
 *                        then done { runs } once every inspector saw mark `end`,
 *                        one entry per inspector with what arrived between the two.
 */
import { onCommand, reply } from './child.js';
import { EventCounter, type MarkSnapshot } from './event-counter.js';

const [url, n] = process.argv.slice(2) as [string, string];
let armed: { start: string; end: string; started: boolean } | null = null;
const counters: EventCounter[] = [];

function check(): void {
  if (!armed) return;
  const { start, end } = armed;
  if (!armed.started && counters.every((c) => c.marks.has(start))) {
    armed.started = true;
    reply({ type: 'started' });
  }
  if (armed.started && counters.every((c) => c.marks.has(end))) {
    armed = null;
    reply({ type: 'done', runs: counters.map((c) => window(c.marks.get(start)!, c.marks.get(end)!)) });
  }
}

/** What one inspector got between two marks. */
function window(a: MarkSnapshot, b: MarkSnapshot) {
  return {
    expected: b.seq - a.seq - 1,
    // The end mark itself is counted in `received` at b; exclude it.
    received: b.received - a.received - 1,
    gapped: b.gapped - a.gapped,
    silent: b.silent - a.silent,
    disorder: b.disorder - a.disorder,
    // From the first batch after the start mark to the last event before the end mark.
    ms: b.lastEventAt - (a.nextBatchAt ?? a.at),
  };
}

for (let i = 0; i < Number(n); i++) counters.push(new EventCounter(url, () => check()));
await Promise.all(counters.map((c) => c.opened));
onCommand((command) => {
  if (command.type !== 'arm') return;
  armed = { start: String(command.start), end: String(command.end), started: false };
  check();
});
reply({ type: 'ready' });

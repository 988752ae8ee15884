/**
 * The hub for hub.*: `bridgescope serve`'s server with its defaults, in its
 * own process so its memory is its own.
 *   → { type: 'ready', port, token }
 *   ← stats → { type: 'stats', rss, heapUsed, heapTotal, external, arrayBuffers, historyBytes, targets: TargetStats[] }
 *   ← cpu-start, cpu-stop → { type: 'cpu', micros } (child.ts answerCpu)
 */
import { startInspectorServer } from '../../inspector/server/index.js';
import { answerCpu, onCommand, reply } from './child.js';

const server = await startInspectorServer({ port: 0, token: 'bench-token', logger: { warn() {}, error() {} } });
reply({ type: 'ready', port: server.port, token: server.token });

answerCpu();
onCommand((command) => {
  if (command.type !== 'stats') return;
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  reply({ type: 'stats', rss, heapUsed, heapTotal, external, arrayBuffers, ...server.stats() });
});

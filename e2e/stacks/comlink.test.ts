import { conformance } from './conformance.test-util.js';

conformance('worker_threads MessagePort bridge with comlink', {
  file: 'comlink.ts',
  subscribesAt: 'the app subscribes here',
  inProcess: true,
});

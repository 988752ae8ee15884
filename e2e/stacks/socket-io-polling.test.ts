import { conformance } from './conformance.test-util.js';

conformance('socket.io 4, polling then upgrade', {
  file: 'socket-io-polling.ts',
  source: 'socket-io-stack.ts',
  subscribesAt: 'the app subscribes here',
  owner: 'socket.io',
});

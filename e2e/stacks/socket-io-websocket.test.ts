import { conformance } from './conformance.test-util.js';

conformance('socket.io 4, WebSocket only', {
  file: 'socket-io-websocket.ts',
  source: 'socket-io-stack.ts',
  subscribesAt: 'the app subscribes here',
  owner: 'socket.io',
});

import { conformance } from './conformance.test-util.js';

conformance('ws + json-rpc-2.0', { file: 'ws-json-rpc.ts', subscribesAt: 'the app subscribes here', owner: 'websocket' });

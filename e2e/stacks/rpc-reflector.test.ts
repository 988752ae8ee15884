import { conformance } from './conformance.test-util.js';

conformance('rpc-reflector over a Unix socket', { file: 'rpc-reflector.ts', subscribesAt: 'rpc-reflector subscribes from here' });

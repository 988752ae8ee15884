import { conformance } from './conformance.test-util.js';

conformance('node:http2', { file: 'http2.ts', subscribesAt: 'the app subscribes here', owner: 'http2' });

import { conformance } from './conformance.test-util.js';

conformance('node:http keep-alive', { file: 'http-keep-alive.ts', subscribesAt: 'the app subscribes here', owner: 'http' });

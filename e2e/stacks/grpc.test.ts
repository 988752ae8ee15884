import { conformance } from './conformance.test-util.js';

conformance('@grpc/grpc-js, unary and server-streaming', { file: 'grpc.ts', subscribesAt: 'the app subscribes here', owner: 'grpc' });

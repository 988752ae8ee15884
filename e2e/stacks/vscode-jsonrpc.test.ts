import { conformance } from './conformance.test-util.js';

conformance('vscode-jsonrpc over net', { file: 'vscode-jsonrpc.ts', subscribesAt: 'the app subscribes here' });

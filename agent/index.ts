/**
 * `bridgescope/agent`: the library a backend embeds. See docs/agent.md.
 */
export { createAgent } from './agent.js';
export { AgentError, HandleError, type HandleErrorCode } from './errors.js';
export { PROTOCOL_VERSION } from '../shared/protocol.js';
export type * from '../shared/protocol.js';
export type {
  ActionMap,
  Agent,
  AgentEvents,
  AgentOptions,
  ConnectionRef,
  HandleMirror,
  HandleTable,
  Logger,
  StoreOptions,
  TrackOptions,
  WatchOptions,
} from './types.js';

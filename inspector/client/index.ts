/** The inspector-side client shared by the web UI, the testing API and the CLI. */
export { AgentLink } from './link.js';
export type {
  AgentLinkEvents,
  AgentLinkOptions,
  FetchLike,
  LinkDelivery,
  LinkState,
  LinkStatus,
  RequestInput,
  SocketEvent,
  WebSocketConstructor,
  WebSocketLike,
} from './link.js';
export { Target } from './target.js';
export type { Run, TargetOptions } from './target.js';
export { createRecordingHeader, parseRecording, RecordingWriter, serializeRecording } from './recording.js';
export type { ParsedRecording, RecordingError } from './recording.js';
export { parseAgentUrl, redactToken } from './agent-url.js';
export type { AgentUrl } from './agent-url.js';
export { backoffDelay, BACKOFF_MAX, BACKOFF_MIN } from './backoff.js';
export { ClientError } from './errors.js';
export type { ClientErrorCode } from './errors.js';

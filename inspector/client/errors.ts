import type { ErrorCode } from '../../shared/protocol.js';

/** Codes the client adds to the agent's own {@link ErrorCode}s. */
export type ClientErrorCode =
  | ErrorCode
  | 'TIMEOUT' // no answer within the timeout
  | 'DISCONNECTED' // the link closed (or was not live) before the answer
  | 'UNREACHABLE' // nothing answered at the agent URL
  | 'BAD_URL'; // the URL is not an agent URL

/** An error with a stable `code`, as rejected by requests and connectInspector. */
export class ClientError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

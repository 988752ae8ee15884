import type { ErrorCode } from '../shared/protocol.js';

/** An error with a stable `code`, for protocol replies and API callers. */
export class AgentError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}

export type HandleErrorCode = 'HANDLE_NOT_FOUND' | 'HANDLE_DROPPED';

/**
 * Thrown by a handle table for an id that is not live, as a production server
 * returns an error instead of aborting the process.
 */
export class HandleError extends Error {
  constructor(
    readonly code: HandleErrorCode,
    readonly table: string,
    readonly handle: number | string,
  ) {
    super(
      code === 'HANDLE_DROPPED'
        ? `handle ${handle} in table "${table}" was already dropped`
        : `handle ${handle} does not exist in table "${table}"`,
    );
    this.name = 'HandleError';
  }
}

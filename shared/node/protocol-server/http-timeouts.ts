/**
 * HTTP-phase limits of both servers: a connection that has not sent its
 * request headers within 10 s is closed (Node checks every second), so idle
 * sockets cannot hold connection slots for Node's default minute.
 */
export const HTTP_TIMEOUTS = { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 } as const;

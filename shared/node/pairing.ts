import { createHmac, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { tokenMatches } from './token.js';

/**
 * The dial-mode handshake (docs/protocol.md, "Dial mode"): the hub and the
 * agent each prove they hold the pairing token without sending it, each over
 * a nonce the other just chose, and the agent proves with a key pair of its
 * own that it is the same process that dialled before.
 */

/** A fresh nonce: 16 random bytes, URL-safe. */
export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** What the hub sends to show it holds the pairing token: an HMAC over the agent's nonce. */
export function hubProof(pairingToken: string, agentNonce: string): string {
  return hmac(pairingToken, `bridgescope hub ${agentNonce}`);
}

/** What the agent answers to show it holds the pairing token: an HMAC over the hub's nonce. */
export function agentProof(pairingToken: string, hubNonce: string): string {
  return hmac(pairingToken, `bridgescope agent ${hubNonce}`);
}

/** Constant-time check of a proof against the one expected. */
export function proofMatches(given: unknown, expected: string): boolean {
  return typeof given === 'string' && tokenMatches(given, expected);
}

/**
 * A per-process Ed25519 key: the agent's identity across reconnects. The
 * public half is shown to the hub; the private half never leaves the
 * process, so a signature over the hub's nonce cannot be replayed by anyone
 * who saw an earlier one.
 */
export class InstanceKey {
  /** The public key, raw 32 bytes in base64url (a JWK `x`). */
  readonly publicKey: string;
  private readonly privateKey: KeyObject;

  constructor() {
    const pair = generateKeyPairSync('ed25519');
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey.export({ format: 'jwk' }).x!;
  }

  sign(hubNonce: string): string {
    return sign(null, Buffer.from(instanceStatement(hubNonce)), this.privateKey).toString('base64url');
  }
}

/** Whether `signature` is the holder of `publicKey` signing over `hubNonce`. Never throws. */
export function verifyInstance(publicKey: unknown, hubNonce: string, signature: unknown): boolean {
  if (typeof publicKey !== 'string' || typeof signature !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(publicKey)) return false;
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
    return verify(null, Buffer.from(instanceStatement(hubNonce)), key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

function instanceStatement(hubNonce: string): string {
  return `bridgescope instance ${hubNonce}`;
}

function hmac(key: string, message: string): string {
  return createHmac('sha256', key).update(message).digest('base64url');
}

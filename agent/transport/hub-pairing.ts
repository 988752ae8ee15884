import type WebSocket from 'ws';
import type { PairRequest, PairResult } from '../../shared/protocol.js';
import { agentProof, hubProof, type InstanceKey, proofMatches } from '../../shared/node/pairing.js';

export interface PairingSecrets {
  pairingToken: string;
  /** The nonce this dial sent as `?challenge=`. */
  challenge: string;
  key: InstanceKey;
}

export type PairingOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Dial mode's handshake, agent side: the hub's first message must be a
 * `pair` whose proof shows it holds the pairing token (over this dial's
 * challenge); only then does the agent answer with its own proof and its
 * instance key, and go on to `hello`. Nothing of the agent's leaves before.
 */
export function pairWithHub(ws: WebSocket, secrets: PairingSecrets, timeoutMs: number): Promise<PairingOutcome> {
  return new Promise((resolve) => {
    const finish = (outcome: PairingOutcome) => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: `no pairing proof within ${timeoutMs} ms` }), timeoutMs);
    timer.unref();
    const onClose = () => finish({ ok: false, reason: 'closed before pairing' });
    const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
      const request = isBinary ? undefined : parsePair(String(data));
      if (!request || !proofMatches(request.proof, hubProof(secrets.pairingToken, secrets.challenge))) {
        return finish({ ok: false, reason: 'the first message was not a valid pairing proof' });
      }
      const result: PairResult = {
        proof: agentProof(secrets.pairingToken, request.nonce),
        key: secrets.key.publicKey,
        signature: secrets.key.sign(request.nonce),
      };
      ws.send(JSON.stringify({ type: 'response', id: request.id, result }));
      finish({ ok: true });
    };
    ws.on('message', onMessage);
    ws.once('close', onClose);
  });
}

function parsePair(text: string): PairRequest | undefined {
  try {
    const value = JSON.parse(text) as Partial<PairRequest> | null;
    if (!value || value.type !== 'pair' || typeof value.nonce !== 'string' || value.nonce.length > 256 || typeof value.proof !== 'string') return undefined;
    if (typeof value.id !== 'string' && typeof value.id !== 'number') return undefined;
    return value as PairRequest;
  } catch {
    return undefined;
  }
}

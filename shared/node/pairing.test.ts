import { describe, expect, it } from 'vitest';
import { agentProof, hubProof, InstanceKey, newNonce, proofMatches, verifyInstance } from './pairing.js';

describe('pairing', () => {
  it('proves the pairing token both ways without revealing it, bound to the other side’s nonce', () => {
    const nonce = newNonce();
    const proof = hubProof('pair-token', nonce);
    expect(proof).not.toContain('pair-token');
    expect(proofMatches(proof, hubProof('pair-token', nonce))).toBe(true);
    expect(proofMatches(proof, hubProof('other-token', nonce))).toBe(false);
    expect(proofMatches(proof, hubProof('pair-token', newNonce()))).toBe(false);
    // The two directions never stand in for each other.
    expect(proofMatches(agentProof('pair-token', nonce), hubProof('pair-token', nonce))).toBe(false);
    expect(proofMatches(42, proof)).toBe(false);
  });

  it('an instance key signs the hub’s nonce; another key or another nonce does not verify', () => {
    const key = new InstanceKey();
    const nonce = newNonce();
    const signature = key.sign(nonce);
    expect(verifyInstance(key.publicKey, nonce, signature)).toBe(true);
    expect(verifyInstance(new InstanceKey().publicKey, nonce, signature)).toBe(false);
    expect(verifyInstance(key.publicKey, newNonce(), signature)).toBe(false);
    for (const bad of [undefined, 5, '', 'x'.repeat(43), '!'.repeat(43)]) expect(verifyInstance(bad, nonce, signature)).toBe(false);
    expect(verifyInstance(key.publicKey, nonce, 'not a signature')).toBe(false);
  });
});

/**
 * The optional `safety_identifier`: a random id for this browser, hashed with SHA-256 (64 hex characters), so
 * OpenAI can tell this browser's requests apart from others that share the key. Nothing about the user goes in.
 */
import { sha256Hex } from '../library/hash';

export const SAFETY_ID_KEY = 'atelier.safety-id.v1';
const RANDOM_BYTES = 32;

/** A fresh id: 32 random bytes from crypto.getRandomValues, hashed. */
export async function createSafetyIdentifier(
  random: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer> = (b) =>
    globalThis.crypto.getRandomValues(b),
): Promise<string> {
  return sha256Hex(random(new Uint8Array(RANDOM_BYTES)));
}

export function isSafetyIdentifier(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
}

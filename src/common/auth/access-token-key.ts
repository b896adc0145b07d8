import { createSecretKey, type KeyObject } from 'node:crypto';

/**
 * The HMAC key of access tokens, as a KeyObject. Given the secret as a string, jsonwebtoken first tries
 * to parse it as a PEM public key on every verification and builds a secret key only after that throws;
 * the exception cost more CPU than the rest of the verification. A KeyObject is used as it is.
 */
export function accessTokenKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/** Why a cryptographic check failed. Callers map these codes to their own domain errors. */
export type CryptoErrorCode =
  | 'BAD_KEY' // a key is not base64 of the right length
  | 'BAD_ENVELOPE' // malformed envelope JSON or unsupported version/algorithm
  | 'DECRYPT_FAILED' // wrong key, or the ciphertext was tampered with
  | 'WRONG_BINDING' // the envelope opened but names another transfer or role
  | 'BAD_SIGNATURE'
  | 'STALE_TIMESTAMP'
  | 'REPLAYED_NONCE'
  | 'MISSING_HEADERS';

export class CryptoError extends Error {
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CryptoError';
  }
}

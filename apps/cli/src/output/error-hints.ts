/** What a researcher can do about each stable error code. Shown under `error CODE: message`. */
export const ERROR_HINTS: Record<string, string> = {
  UNAUTHENTICATED: 'check FERRY_TOKEN (or run `ferry login --url URL --token TOKEN`); the token may have been revoked',
  FORBIDDEN: 'you lack READ on the source or WRITE on the destination drive; `ferry drives` shows your permissions',
  NO_IDENTITY_MAPPING: "you have no account mapped at that provider: ask the provider's operator for an account mapping",
  NOT_FOUND: 'check the id or drive name (`ferry drives`, `ferry tasks --all`)',
  BAD_PATH: "paths are relative to the drive root and may not contain '..', backslashes or NUL bytes",
  BAD_KEY: 'your public key is malformed: run `ferry keygen --force`',
  VALIDATION_FAILED: 'check the command arguments (`ferry <command> --help`)',
  INVALID_STATE: 'the task is not in a state that allows this; `ferry tasks show ID` shows its state and operations',
  TRIGGER_REPLAYED: 'this transfer was already triggered; follow it with `ferry tasks watch ID`',
  TRIGGER_INVALID: 'the trigger did not open at the gateway: was the transfer created with another key?',
  EXPIRED: 'the transfer was not triggered before its deadline; start a new one',
  REJECTED_BY_POLICY: "a site's policy does not cover this transfer; ask the operators which agreement applies",
  NO_COMMON_MECHANISM: 'the two sites share no transfer mechanism (or not the one you asked for with --mechanism)',
  PROVIDER_UNAVAILABLE: "a site's gateway is down or unreachable; try again later (the transfer waits until its deadline)",
  PROVIDER_ERROR: "a site's gateway reported an error; the message has its words",
  RATE_LIMITED: 'too many requests; wait a moment and retry',
  PAYLOAD_TOO_LARGE: 'the request is too large',
  INTERNAL: 'this is a bug in ferry; please report it with the core log',
  CORE_UNREACHABLE: 'is the core running? check FERRY_URL (`npm start` runs a demo core on http://127.0.0.1:8080)',
  BAD_RESPONSE: 'FERRY_URL may point at something that is not a ferry core',
  NOT_CONFIGURED: 'set FERRY_URL and FERRY_TOKEN, or run `ferry login --url URL --token TOKEN`',
  NO_KEY: 'run `ferry keygen` first',
  OFFER_SIGNATURE_INVALID: 'do not trigger: the offer was changed after the gateway signed it; tell the operators',
  PROVIDER_KEY_MISMATCH: "do not trigger: the gateway keys differ from the provider's registered keys; tell the operators",
  OFFER_UNREADABLE: 'the offer was sealed to another key: was the transfer created with another key file?',
  TRANSFER_FAILED: '`ferry tasks show ID` shows the error; the task page lists what moved',
  BAD_ARGUMENT: 'see `ferry <command> --help`',
};

export function hintFor(code: string): string | undefined {
  return ERROR_HINTS[code];
}

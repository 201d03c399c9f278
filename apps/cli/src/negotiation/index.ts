// Researcher-side protocol as pure functions over @ferry/crypto and @ferry/contracts, shared by the
// CLI, the e2e harness and (if it wants) the web app: verify offers, open them, build triggers.
export * from './negotiation.error';
export * from './offer-verification';
export * from './trigger-builder';
export * from './tunnel-secret';

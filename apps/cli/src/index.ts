// Library entry: the researcher-side protocol and the API client, for the web app and the e2e harness.
export * from './negotiation';
export * from './api/core-api.client';
export * from './api/api.error';

import type { PluginLogger } from '@ferry/plugin-sdk';
import { redactFields, redactingLogger, redactText } from './redact.util';

describe('redaction', () => {
  it('scrubs Authorization values and known secrets from text', () => {
    expect(redactText('sent Authorization: Bearer AgXYZ123.abc', [])).toBe('sent Authorization: Bearer [redacted]');
    expect(redactText('Basic Y2xpZW50OnNlY3JldA==', [])).toBe('Basic [redacted]');
    expect(redactText('the secret is s3cr3t-value!', ['s3cr3t-value'])).toBe('the secret is [redacted]!');
  });

  it('blanks sensitive keys at any depth and scrubs strings and errors', () => {
    const out = redactFields(
      { access_token: 'abc', nested: { clientSecret: 'x', list: ['has s3cr3t-value inside'] }, err: new Error('token s3cr3t-value leaked'), n: 3 },
      ['s3cr3t-value'],
    );
    expect(out).toEqual({ access_token: '[redacted]', nested: { clientSecret: '[redacted]', list: ['has [redacted] inside'] }, err: 'Error: token [redacted] leaked', n: 3 });
  });

  it('the wrapping logger never lets a current secret through', () => {
    const lines: string[] = [];
    const inner: PluginLogger = {
      debug: (m, f) => lines.push(m + JSON.stringify(f ?? {})),
      info: (m, f) => lines.push(m + JSON.stringify(f ?? {})),
      warn: (m, f) => lines.push(m + JSON.stringify(f ?? {})),
      error: (m, f) => lines.push(m + JSON.stringify(f ?? {})),
    };
    let current = ['first-secret'];
    const log = redactingLogger(inner, () => current);
    log.error('failed with first-secret', { detail: 'first-secret' });
    current = ['second-secret'];
    log.warn('now second-secret', { authorization: 'anything' });
    expect(lines.join('\n')).not.toMatch(/first-secret|second-secret|anything/);
  });
});

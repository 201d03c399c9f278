import { REDACTED, redactText, redactValue } from './log-redaction.util';

describe('log redaction', () => {
  it('scrubs bearer tokens, query tokens, URL passwords and admin-made tokens from text', () => {
    const line = redactText(
      'GET /x authorization: Bearer abc.DEF-123 ?access_token=s3cret&x=1 postgres://u:pw@127.0.0.1/db ferry_Qm9ndXMtdG9rZW4tMDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1u',
    );
    expect(line).not.toMatch(/abc\.DEF|s3cret|:pw@|Qm9ndXMtdG9rZW4/);
    expect(line).toContain(`Bearer ${REDACTED}`);
    expect(line).toContain(`access_token=${REDACTED}&x=1`);
    expect(line).toContain(`postgres://u:${REDACTED}@127.0.0.1/db`);
  });

  it('leaves metric and table names alone', () => {
    expect(redactText('ferry_provider_call_duration_seconds_bucket ferry_transfers')).toBe('ferry_provider_call_duration_seconds_bucket ferry_transfers');
  });

  it('scrubs secret keys inside JSON text, whatever their case', () => {
    const s = JSON.stringify({ envelope: 'e', inner: { ct: 'CIPHER', triggerToken: 'TT', secretKey: 'SK' }, path: 'ok' });
    const out = redactText(s);
    expect(out).not.toMatch(/CIPHER|"TT"|"SK"/);
    expect(out).toContain('"path":"ok"');
  });

  it('replaces secret keys in objects, deeply, keeping the rest', () => {
    const out = redactValue({
      headers: { Authorization: 'Bearer x', accept: 'json' },
      envelope: { v: 1, ct: 'c', epk: 'e' },
      list: [{ password: 'p', name: 'n' }],
    }) as any;
    expect(out.headers).toEqual({ Authorization: REDACTED, accept: 'json' });
    expect(out.envelope).toBe(REDACTED);
    expect(out.list).toEqual([{ password: REDACTED, name: 'n' }]);
  });

  it('survives cycles', () => {
    const a: any = { name: 'a' };
    a.self = a;
    expect(redactValue(a)).toEqual({ name: 'a', self: '[…]' });
  });
});

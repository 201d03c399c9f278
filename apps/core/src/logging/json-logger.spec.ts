import { Logger } from '@nestjs/common';
import { JsonLogger } from './json-logger';
import { requestContext } from './request-context';

describe('JsonLogger', () => {
  const capture = (levels: ConstructorParameters<typeof JsonLogger>[0] = ['error', 'warn', 'log']) => {
    const lines: any[] = [];
    return { logger: new JsonLogger(levels, (l) => lines.push(JSON.parse(l))), lines };
  };

  it('reads Nest’s (message, ...params, context) and (message, stack, context) conventions', () => {
    const { logger, lines } = capture();
    logger.log('hello', 'Ctx');
    logger.error('boom', 'Error: boom\n    at x (y.js:1:1)', 'Ctx');
    logger.error('no stack', undefined, 'Ctx');
    expect(lines[0]).toMatchObject({ level: 'info', context: 'Ctx', msg: 'hello', requestId: null, transferId: null });
    expect(lines[1]).toMatchObject({ level: 'error', context: 'Ctx', msg: 'boom', stack: expect.stringContaining('at x') });
    expect(lines[2]).toMatchObject({ level: 'error', context: 'Ctx', msg: 'no stack' });
    expect(lines[2].stack).toBeUndefined();
  });

  it('drops levels that are not enabled', () => {
    const { logger, lines } = capture(['error']);
    logger.warn('w', 'C');
    logger.debug('d', 'C');
    logger.error('e', undefined, 'C');
    expect(lines.map((l) => l.msg)).toEqual(['e']);
  });

  it('takes requestId and transferId from the request context, or the transfer id a message names', () => {
    const { logger, lines } = capture();
    requestContext.run({ requestId: 'r-1', transferId: 'aaaaaaaa-0000-4000-8000-000000000001' }, () => logger.log('inside', 'C'));
    logger.log('transfer bbbbbbbb-0000-4000-8000-000000000002 expired', 'Sweeper');
    expect(lines[0]).toMatchObject({ requestId: 'r-1', transferId: 'aaaaaaaa-0000-4000-8000-000000000001' });
    expect(lines[1]).toMatchObject({ requestId: null, transferId: 'bbbbbbbb-0000-4000-8000-000000000002' });
  });

  it('spreads structured messages into fields, redacted', () => {
    const { logger, lines } = capture();
    logger.log({ msg: 'GET /x 200', status: 200, headers: { authorization: 'Bearer abc' } }, 'Http');
    expect(lines[0]).toMatchObject({ msg: 'GET /x 200', status: 200, headers: { authorization: '[redacted]' } });
  });

  it('is what Nest’s Logger writes to once installed', () => {
    const { logger, lines } = capture();
    Logger.overrideLogger(logger);
    try {
      new Logger('Through').warn('via Nest Bearer secret-token-value');
    } finally {
      Logger.overrideLogger(false);
    }
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', context: 'Through', msg: 'via Nest Bearer [redacted]' })]);
  });
});

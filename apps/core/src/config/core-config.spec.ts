import * as path from 'node:path';
import { ConfigError, describeConfig, loadCoreConfig, nestLogLevels } from './core-config';

describe('loadCoreConfig', () => {
  it('applies the documented defaults, resolving paths against the working folder', () => {
    const c = loadCoreConfig({}, '/srv/ferry');
    expect(c).toEqual({
      host: '127.0.0.1',
      port: 8080,
      dataDir: '/srv/ferry/.ferry/core',
      databaseUrl: null,
      coreKeyFile: path.join('/srv/ferry/.ferry/core', 'core-sign.key.json'),
      seedFile: null,
      triggerDeadlineSeconds: 900,
      sweepIntervalMs: 2000,
      webDir: '/srv/ferry/apps/web/dist',
      logLevel: 'log',
      maxBodyBytes: 1048576,
      maxGatewayBodyBytes: 64 * 1024 * 1024,
      signatureWindowSeconds: 60,
      gatewayTimeoutMs: 15000,
      logFormat: 'text',
      metricsToken: null,
      rateLimitPerMinute: 1200,
      staleTaskSeconds: 120,
      sourceUnreachableSeconds: 900,
    });
  });

  it('reads the operations variables and masks the metrics token', () => {
    const c = loadCoreConfig({ FERRY_LOG_FORMAT: 'json', FERRY_METRICS_TOKEN: 'metrics-token-0123456789', FERRY_RATE_LIMIT_PER_MINUTE: '0' });
    expect(c).toMatchObject({ logFormat: 'json', metricsToken: 'metrics-token-0123456789', rateLimitPerMinute: 0 });
    expect(JSON.stringify(describeConfig(c))).not.toContain('metrics-token-0123456789');
    expect(() => loadCoreConfig({ FERRY_LOG_FORMAT: 'xml' })).toThrow(/FERRY_LOG_FORMAT must be one of text, json/);
    expect(() => loadCoreConfig({ FERRY_METRICS_TOKEN: 'short' })).toThrow(/FERRY_METRICS_TOKEN must be at least 16/);
    expect(() => loadCoreConfig({ FERRY_RATE_LIMIT_PER_MINUTE: '-5' })).toThrow(/FERRY_RATE_LIMIT_PER_MINUTE must be at least 0/);
  });

  it('reads every variable', () => {
    const c = loadCoreConfig(
      {
        FERRY_HOST: '::1',
        FERRY_PORT: '9000',
        FERRY_DATA_DIR: '/d',
        DATABASE_URL: 'postgres://u:secret@127.0.0.1/ferry',
        FERRY_CORE_KEY_FILE: 'k.json',
        FERRY_SEED_FILE: 'seed.json',
        FERRY_TRIGGER_DEADLINE_SECONDS: '60',
        FERRY_SWEEP_INTERVAL_MS: '500',
        FERRY_WEB_DIR: '/web',
        FERRY_LOG_LEVEL: 'debug',
        FERRY_MAX_BODY_BYTES: '2048',
      },
      '/cwd',
    );
    expect(c).toMatchObject({ host: '::1', port: 9000, coreKeyFile: '/cwd/k.json', seedFile: '/cwd/seed.json', triggerDeadlineSeconds: 60, logLevel: 'debug', maxBodyBytes: 2048 });
  });

  it('fails fast naming every bad variable', () => {
    let err: unknown;
    try {
      loadCoreConfig({ FERRY_PORT: 'eighty', FERRY_SWEEP_INTERVAL_MS: '-1', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('FERRY_PORT');
    expect(msg).toContain('FERRY_SWEEP_INTERVAL_MS');
    expect(msg).toContain('DATABASE_URL must start with postgres://');
  });

  it('masks secrets when described for the log', () => {
    const c = loadCoreConfig({ DATABASE_URL: 'postgres://u:hunter2@127.0.0.1/db' });
    expect(JSON.stringify(describeConfig(c))).not.toContain('hunter2');
    expect(describeConfig(loadCoreConfig({})).databaseUrl).toBeNull();
  });

  it('maps a log level to that level and the more severe ones', () => {
    expect(nestLogLevels('warn')).toEqual(['error', 'warn']);
    expect(nestLogLevels('verbose')).toHaveLength(5);
  });
});

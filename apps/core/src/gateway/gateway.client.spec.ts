import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainError } from '@ferry/contracts';
import { generateSigningKeyPair } from '@ferry/crypto';
import type { CoreInstance } from '../config/core-instance';
import { CoreMetrics } from '../metrics/core-metrics.service';
import type { TaskRepository } from '../persistence/repositories';
import { GatewayClient } from './gateway.client';

/** A gateway that drops the first `drops` requests' connections without answering, then answers. */
async function droppingGateway(drops: number) {
  const nonces: string[] = [];
  const server = http.createServer((req, res) => {
    nonces.push(String(req.headers['x-ferry-nonce']));
    if (nonces.length <= drops) return void req.socket.destroy();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ accepted: true, duplicate: false }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, nonces, close: () => new Promise((r) => server.close(r)) };
}

function client(): GatewayClient {
  const instance = { timeouts: { call: 5000, control: 5000, finalize: 5000 } } as CoreInstance;
  return new GatewayClient(instance, generateSigningKeyPair(), new CoreMetrics({} as TaskRepository));
}

describe('GatewayClient and connections closed before an answer', () => {
  const trigger = { role: 'source' as const, envelope: { v: 1 as const, alg: 'x25519-xsalsa20-poly1305' as const, epk: 'a', nonce: 'b', ct: 'c' } };

  it('sends an idempotent call once more, signed with a new nonce, when the connection closes unanswered', async () => {
    const gw = await droppingGateway(1);
    try {
      await expect(client().trigger({ id: 'provider-a', url: gw.url }, 'tr-1', trigger)).resolves.toEqual({ accepted: true, duplicate: false });
      expect(gw.nonces).toHaveLength(2);
      expect(gw.nonces[0]).not.toBe(gw.nonces[1]);
    } finally {
      await gw.close();
    }
  });

  it('gives up after the second attempt: PROVIDER_UNAVAILABLE', async () => {
    const gw = await droppingGateway(99);
    try {
      const err = await client()
        .trigger({ id: 'provider-a', url: gw.url }, 'tr-1', trigger)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe('PROVIDER_UNAVAILABLE');
      expect(gw.nonces).toHaveLength(2);
    } finally {
      await gw.close();
    }
  });
});

import { WriteBudget } from './write-budget';

describe('WriteBudget', () => {
  it('lets requests through while bytes are free and queues the rest in order', async () => {
    const b = new WriteBudget(10);
    const order: string[] = [];
    await b.acquire(4);
    await b.acquire(4);
    const c = b.acquire(4).then(() => order.push('c'));
    const d = b.acquire(1).then(() => order.push('d'));
    await Promise.resolve();
    expect(order).toEqual([]); // 'd' would fit, but waits behind 'c'
    b.release(4);
    await Promise.all([c, d]);
    expect(order).toEqual(['c', 'd']);
  });

  it('lets a request bigger than the budget through once everything is free', async () => {
    const b = new WriteBudget(8);
    await b.acquire(2);
    let done = false;
    const big = b.acquire(100).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    b.release(2);
    await big;
    expect(done).toBe(true);
    b.release(100);
    await b.acquire(8);
  });
});

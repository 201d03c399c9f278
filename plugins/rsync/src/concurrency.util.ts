/**
 * Runs `fn` over `items` with at most `limit` calls at once and returns the results in the
 * items' order. File-system checks of thousands of files one after another wait for the thread
 * pool once per file; a few dozen at once keep it busy (docs/performance.md).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

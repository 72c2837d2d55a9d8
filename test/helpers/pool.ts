/**
 * Runs `fn` over `items` with at most `lanes` calls in flight, and returns the results in the
 * items' order. For a test's independent CLI runs (read-only on the case, each with its own
 * output): side by side they take a fraction of the time one after the other, and the test still
 * checks every result, in order, once all have ended.
 */
export async function inLanes<T, R>(items: readonly T[], lanes: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i]!);
    }),
  );
  return results;
}

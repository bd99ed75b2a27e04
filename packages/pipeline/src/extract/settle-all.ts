/**
 * Waits for every promise, then throws the first failure: no statement may still run when its
 * DuckDB connection (or the database) closes, so a failure is reported only once all have stopped.
 */
export async function allSettled<T>(promises: ReadonlyArray<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((item): item is PromiseRejectedResult => item.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.flatMap((item) => (item.status === 'fulfilled' ? [item.value] : []));
}

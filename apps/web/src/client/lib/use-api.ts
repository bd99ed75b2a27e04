import { useCallback, useEffect, useState } from 'react';

import { api } from './api';

export interface ApiState<T> {
  data: T | undefined;
  error: unknown;
  isLoading: boolean;
  /** Fetches again (after a change the page made). */
  reload: () => void;
}

/**
 * Loads `path` with GET and keeps the answer; a new path cancels the previous request, so fast
 * filter changes never show stale results. `null` skips loading.
 */
export function useApi<T>(path: string | null): ApiState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [isLoading, setIsLoading] = useState(path !== null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    if (path === null) {
      setIsLoading(false);
      return;
    }
    const controller = new AbortController();
    setIsLoading(true);
    setError(undefined);
    api<T>(path, { signal: controller.signal })
      .then((body) => {
        setData(body);
        setIsLoading(false);
      })
      .catch((caught: unknown) => {
        if (controller.signal.aborted) return;
        setError(caught);
        setIsLoading(false);
      });
    return () => controller.abort();
  }, [path, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { data, error, isLoading, reload };
}

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

import { api, ApiError, resetCsrfToken } from '../lib/api';
import type { Cart, SessionResponse, User } from '../lib/types';

export interface SessionState {
  /** undefined while the first /api/me is in flight; null when signed out. */
  user: User | null | undefined;
  cartCount: number;
  refreshUser: () => Promise<User | null>;
  refreshCart: () => Promise<void>;
  logout: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

/** Who is signed in: GET /api/auth/session answers `{ user: null }` for visitors, never a 401. */
export async function fetchMe(): Promise<User | null> {
  try {
    const session = await api<SessionResponse>('/api/auth/session');
    return session.user;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 404)) return null;
    throw error;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [cartCount, setCartCount] = useState(0);

  const refreshUser = useCallback(async () => {
    const me = await fetchMe().catch(() => null);
    setUser(me);
    return me;
  }, []);

  const refreshCart = useCallback(async () => {
    try {
      const cart = await api<Cart>('/api/cart');
      setCartCount(cart.count);
    } catch {
      setCartCount(0);
    }
  }, []);

  const logout = useCallback(async () => {
    await api('/api/auth/logout', { method: 'POST' });
    resetCsrfToken();
    setUser(null);
    setCartCount(0);
  }, []);

  useEffect(() => {
    void refreshUser();
    void refreshCart();
  }, [refreshUser, refreshCart]);

  const value = useMemo(() => ({ user, cartCount, refreshUser, refreshCart, logout }), [user, cartCount, refreshUser, refreshCart, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession must be used inside <SessionProvider>');
  return state;
}

import { api, toQuery } from '../../lib/api';
import type { ProductSummary, Role, User, UserEnvelope } from '../../lib/types';
import { useApi, type ApiState } from '../../lib/use-api';

/** A row of the users list: the API's user (its e-mail is null for customers imported without one). */
export type AdminUser = User;

export function useAdminUsers(q: string, role: string): ApiState<{ items: AdminUser[]; nextCursor?: string | null }> {
  return useApi(`/api/admin/users${toQuery({ q, role, limit: 100 })}`);
}

export async function setRole(userId: number, role: Role): Promise<AdminUser> {
  const answer = await api<UserEnvelope>(`/api/admin/users/${userId}`, { method: 'PATCH', body: { role } });
  return answer.user;
}

export type AdminProduct = ProductSummary;

export function unpublishProduct(productId: number): Promise<unknown> {
  return api(`/api/admin/products/${productId}/unpublish`, { method: 'POST' });
}

export function useAdminProducts(q: string, status: string): ApiState<{ items: AdminProduct[]; nextCursor?: string | null }> {
  return useApi(`/api/admin/products${toQuery({ q, status, limit: 100 })}`);
}

export interface ColourVocabulary {
  families: { slug: string; name: string; hex: string }[];
  /** Colour names on sale that no family is known for, most used first. */
  unmapped: { name: string; products: number; variants: number }[];
  /** Names staff mapped by hand, newest first. */
  mapped: { name: string; family: string; source: string }[];
}

export function useColourVocabulary(): ApiState<ColourVocabulary> {
  return useApi('/api/admin/colours');
}

export function mapColour(name: string, family: string): Promise<{ name: string; family: string; variants: number }> {
  return api('/api/admin/colours', { method: 'POST', body: { name, family } });
}

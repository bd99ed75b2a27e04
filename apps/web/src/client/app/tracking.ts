/**
 * The pages' link to the clickstream (apps/web/src/client/analytics, owned by the analytics
 * feature). Kept in one place so the pages never depend on how events are sent.
 */
export type TrackedEvent =
  | 'page_view'
  | 'product_view'
  | 'search'
  | 'add_to_cart'
  | 'checkout_started'
  | 'order_paid'
  | 'sign_up'
  | 'login';

export function track(_event: TrackedEvent, _properties: Record<string, string | number | boolean | undefined> = {}): void {
  // analytics module not present yet: its track() is wired in here when it lands
}

export function trackPageView(path: string): void {
  track('page_view', { path });
}

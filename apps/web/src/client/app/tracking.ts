/**
 * The pages' one link to the clickstream. Pages call `track()` at the moments the analyses count
 * (page views, product views, searches, cart adds, checkout, payment, sign-up, login); the
 * clickstream module (apps/web/src/client/analytics) subscribes with `onTrack()` and sends the
 * beacons. Pages therefore never depend on how, or whether, events are sent.
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

export type TrackProperties = Record<string, string | number | boolean | undefined>;
export type TrackListener = (event: TrackedEvent, properties: TrackProperties) => void;

const listeners = new Set<TrackListener>();

/** Subscribes to page events; returns the function that unsubscribes. */
export function onTrack(listener: TrackListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Reports a page event to every subscriber; a failing subscriber never breaks the page. */
export function track(event: TrackedEvent, properties: TrackProperties = {}): void {
  for (const listener of listeners) {
    try {
      listener(event, properties);
    } catch {
      // analytics must never stop a shopper: a broken listener is skipped
    }
  }
}

export function trackPageView(path: string): void {
  track('page_view', { path });
}

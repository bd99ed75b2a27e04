/**
 * The back office's page registry: `/admin/<path>` for each entry, shown in the side navigation to
 * users whose role is in `roles`. Add a page with one line; its module's default export is the page
 * component (loaded on first visit, so the storefront bundle stays small).
 *
 * @example
 * { path: 'insights/peak-hours', label: 'Peak hours', roles: ['admin', 'marketing'], load: () => import('../insights/PeakHoursPage') },
 */
import type { ComponentType } from 'react';

import type { Role } from '../../lib/types';

export interface AdminPage {
  /** Below /admin, without a leading slash. */
  path: string;
  label: string;
  /** Who sees it in the navigation and may open it (the API enforces the same rule). */
  roles: readonly Role[];
  /** Optional heading the navigation groups pages under. */
  group?: string;
  load: () => Promise<{ default: ComponentType }>;
}

export const ADMIN_PAGES: AdminPage[] = [
  { path: 'insights/peak-hours', label: 'Peak hours', group: 'Insights', roles: ['admin', 'marketing'], load: () => import('../insights/PeakHoursPage') },
  { path: 'insights/ad-channels', label: 'Offline advertising', group: 'Insights', roles: ['admin', 'marketing'], load: () => import('../insights/AdChannelsPage') },
  { path: 'insights/segments', label: 'Customer segments', group: 'Insights', roles: ['admin', 'marketing'], load: () => import('../insights/SegmentsPage') },
  { path: 'insights/sales', label: 'Sales rates', group: 'Insights', roles: ['admin', 'marketing'], load: () => import('../insights/SalesPage') },
  { path: 'insights/reviews', label: 'Customer reviews', group: 'Insights', roles: ['admin', 'marketing'], load: () => import('../insights/ReviewsPage') },
  { path: 'users', label: 'Users & roles', group: 'Shop', roles: ['admin'], load: () => import('./UsersPage') },
  { path: 'products', label: 'All products', group: 'Shop', roles: ['admin'], load: () => import('./AllProductsPage') },
  { path: 'colours', label: 'Colours', group: 'Shop', roles: ['admin'], load: () => import('./ColoursPage') },
  { path: 'shipping', label: 'Shipping & tax', group: 'Shop', roles: ['admin'], load: () => import('./shipping/ShippingTaxPage') },
  { path: 'outbox', label: 'Outbox', group: 'Shop', roles: ['admin'], load: () => import('./outbox/OutboxPage') },
  { path: 'audit', label: 'Audit log', group: 'Security', roles: ['admin'], load: () => import('./audit/AuditPage') },
  { path: 'pipeline', label: 'Data pipeline', group: 'Data', roles: ['admin'], load: () => import('./pipeline/DataPipelinePage') },
  { path: 'survey', label: 'Survey upload', group: 'Data', roles: ['admin'], load: () => import('./survey/SurveyUploadPage') },
  { path: 'system', label: 'System', group: 'Operations', roles: ['admin'], load: () => import('./system/SystemPage') },
];

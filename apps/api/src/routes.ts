import type { ApiApp } from './api-app.js';
import type { ApiContext } from './context.js';
import { accountClaimRoutes } from './account-claim/account-claim.routes.js';
import { adminRoutes } from './admin/admin.routes.js';
import { accountRoutes } from './account/account.routes.js';
import { auditRoutes } from './audit/audit.routes.js';
import { authRoutes } from './auth/auth.routes.js';
import { cartRoutes } from './cart/cart.routes.js';
import { addressesRoutes } from './account/addresses.routes.js';
import { passwordRoutes } from './auth/password.routes.js';
import { checkoutAdminRoutes } from './checkout-admin/checkout-admin.routes.js';
import { catalogRoutes } from './catalog/catalog.routes.js';
import { collectRoutes } from './collect/collect.routes.js';
import { insightsRoutes } from './insights/insights.routes.js';
import { mediaRoutes } from './media/media.routes.js';
import { opsRoutes } from './ops/ops.routes.js';
import { ordersRoutes } from './orders/orders.routes.js';
import { pipelineRoutes } from './pipeline/pipeline.routes.js';
import { queryRoutes } from './query/query.routes.js';
import { surveyRoutes } from './survey/survey.routes.js';
import { webhookRoutes } from './payments/webhook.routes.js';
import { reviewsRoutes } from './reviews/reviews.routes.js';
import { sellerRoutes } from './seller/seller.routes.js';

/** A feature's routes: one module per domain folder, registered here in one list. */
export type RouteModule = (app: ApiApp, context: ApiContext) => Promise<void>;

/**
 * Every feature's route module. Add a line to plug a feature in.
 */
export const ROUTE_MODULES: RouteModule[] = [
  // shop (issue 3)
  authRoutes,
  catalogRoutes,
  sellerRoutes,
  cartRoutes,
  ordersRoutes,
  webhookRoutes,
  reviewsRoutes,
  adminRoutes,
  // audit log (issue 9)
  auditRoutes,
  accountRoutes,
  mediaRoutes,
  // clickstream (issue 4)
  collectRoutes,
  // moving in from the old shop (issue 10)
  accountClaimRoutes,
  // marketing dashboards, peak hours included (issues 4 and 6)
  insightsRoutes,
  // data pipeline, SQL over the lake, survey upload (issue 5)
  pipelineRoutes,
  queryRoutes,
  surveyRoutes,
  // operations: System page (issue 7)
  opsRoutes,
  // checkout: address book, passwords, shipping/tax settings, e-mail outbox (issue 17)
  addressesRoutes,
  passwordRoutes,
  checkoutAdminRoutes,
];

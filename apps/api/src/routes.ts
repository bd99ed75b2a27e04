import type { ApiApp } from './app.js';
import type { ApiContext } from './context.js';

/** A feature's routes: one module per domain folder, registered here in one list. */
export type RouteModule = (app: ApiApp, context: ApiContext) => Promise<void>;

/**
 * Every feature's route module. Add a line to plug a feature in.
 */
export const ROUTE_MODULES: RouteModule[] = [];

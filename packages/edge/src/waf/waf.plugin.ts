import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

import type { WafSettings } from '../config.js';
import { inspectBodyFields, inspectBodyTexts, inspectRequest, type BodyField, type BodyTexts, type BodyFieldExclusion, type InspectPart, type WafDecision } from './inspect.js';

/**
 * A narrow exclusion for one route, method and body field, for the callers `isAllowed` admits
 * (as CRS exclusion rules scope `ctl:ruleRemoveTargetById` by REQUEST_FILENAME and a condition):
 * e.g. SQL-injection rules do not score the `sql` field of `POST /api/admin/query` sent by a
 * signed-in admin. Never a whole path, never a whole rule.
 */
export interface WafRouteExclusion extends BodyFieldExclusion {
  method: string;
  /** The matched route pattern (`request.routeOptions.url`), so no spelling of the path slips past. */
  route: string;
  /** Decides from the request (after the session is loaded) whether the exclusion applies. */
  isAllowed: (request: FastifyRequest) => boolean;
}

export interface WafPluginOptions {
  settings: WafSettings;
  /** Exclusions of body fields per route and caller; none by default. */
  exclusions?: readonly WafRouteExclusion[];
  /**
   * Inspect parsed bodies too (the API tier). The web tier forwards bodies as streams to the API
   * tier, which inspects them there, so it checks only the request head.
   */
  inspectBody: boolean;
}

/** Counters since start, for /metrics and the scan test. */
export interface WafStats {
  inspected: number;
  blocked: number;
  detected: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    wafStats: WafStats;
    /**
     * Inspects text fields of a body the route parses itself (raw bodies are not inspected on
     * their own), logged and counted like any decision. Returns the decision when the request
     * must be refused (block mode), otherwise undefined (allowed, detect-only, or WAF off).
     * `BodyTexts` name a field only when its value matched (cheaper for many fields).
     */
    wafInspectFields: (request: FastifyRequest, fields: readonly BodyField[] | BodyTexts) => WafDecision | undefined;
  }
}

/** The body a blocked client gets: the code and a reference, never the rule that matched. */
export function wafErrorBody(decision: WafDecision, requestId: string): { error: { code: string; message: string; field?: string } } {
  const code = decision.code ?? 'WAF_BLOCKED';
  if (code === 'WAF_BLOCKED') {
    return { error: { code, message: `request blocked by the web application firewall (reference ${requestId})` } };
  }
  const field = decision.matches[0]?.field;
  return { error: { code, message: decision.message ?? 'request rejected', ...(field && field !== 'body' ? { field } : {}) } };
}

function logDecision(request: FastifyRequest, decision: WafDecision, mode: WafSettings['mode'], part: InspectPart): void {
  // the common case — nothing matched — is logged at debug only: build nothing unless it is written
  if (decision.action !== 'block' && decision.matches.length === 0 && request.log.level !== 'debug' && request.log.level !== 'trace') return;
  const matches = decision.matches.map((match) => ({ rule: match.ruleId, category: match.category, location: match.location, field: match.field, ...(match.excludedBy ? { excludedBy: match.excludedBy } : {}) }));
  const waf = { action: decision.action, mode, part, score: decision.score, ruleIds: [...new Set(decision.matches.map((m) => m.ruleId))], matches };
  const where = { method: request.method, url: request.url.slice(0, 300), ip: request.ip };
  if (decision.action === 'block') {
    request.log.warn({ waf, ...where }, mode === 'block' ? 'WAF blocked request' : 'WAF would block request (detect-only mode)');
  } else if (decision.matches.length > 0) {
    request.log.info({ waf, ...where }, 'WAF allowed request below the blocking score');
  } else {
    request.log.debug({ waf, ...where }, 'WAF allowed request');
  }
}

/**
 * The in-process web application firewall: inspects every request's head on arrival and (when
 * `inspectBody`) its parsed body before validation; blocks with 403 `WAF_BLOCKED` (protocol
 * limits with 405/413/414/415/431) in `block` mode, only logs in `detect` mode, and is absent in
 * `off` mode. Every decision is logged with the rule ids; the client sees only a reference.
 *
 * @example
 * await app.register(wafPlugin, { settings: config.edge.waf, inspectBody: true });
 */
export const wafPlugin = fp<WafPluginOptions>(
  async (app: FastifyInstance, options) => {
    const stats: WafStats = { inspected: 0, blocked: 0, detected: 0 };
    app.decorate('wafStats', stats);
    const { settings } = options;
    app.decorate('wafInspectFields', (request: FastifyRequest, fields: readonly BodyField[] | BodyTexts): WafDecision | undefined => {
      if (settings.mode === 'off') return undefined;
      const isTexts = 'texts' in fields;
      if ((isTexts ? fields.texts.length : fields.length) === 0) return undefined;
      const decision = isTexts ? inspectBodyTexts(fields, settings) : inspectBodyFields(fields, settings);
      logDecision(request, decision, settings.mode, 'body');
      if (decision.action !== 'block') return undefined;
      if (settings.mode === 'detect') {
        stats.detected += 1;
        return undefined;
      }
      stats.blocked += 1;
      return decision;
    });
    if (settings.mode === 'off') {
      app.log.warn('WAF is off (THREADLINE_WAF_MODE=off): requests are not inspected');
      return;
    }
    if (settings.mode === 'detect') app.log.warn('WAF in detect-only mode (THREADLINE_WAF_MODE=detect): attacks are logged, not blocked');

    /** Inspects `part`; the reply when the request was refused (and answered), else undefined. */
    const decideNow = (request: FastifyRequest, reply: FastifyReply, part: InspectPart): FastifyReply | undefined => {
      const exclusions =
        part === 'body' ? (options.exclusions ?? []).filter((item) => item.method === request.method && item.route === request.routeOptions.url && item.isAllowed(request)) : [];
      const decision = inspectRequest({ method: request.method, url: request.url, headers: request.headers, body: part === 'body' ? request.body : undefined }, settings, { part, exclusions });
      if (part === 'head') stats.inspected += 1;
      logDecision(request, decision, settings.mode, part);
      if (decision.action !== 'block') return undefined;
      if (settings.mode === 'detect') {
        stats.detected += 1;
        return undefined;
      }
      stats.blocked += 1;
      return reply.status(decision.status).header('cache-control', 'no-store').send(wafErrorBody(decision, request.id));
    };

    // the head check as a callback hook: no promise and microtask per request (the check is synchronous)
    app.addHook('onRequest', (request, reply, done) => {
      if (decideNow(request, reply, 'head') === undefined) done();
    });
    if (options.inspectBody) {
      app.addHook('preValidation', (request, reply, done) => {
        if (request.body === undefined || request.body === null || decideNow(request, reply, 'body') === undefined) done();
      });
    }
  },
  { name: 'threadline-waf' },
);

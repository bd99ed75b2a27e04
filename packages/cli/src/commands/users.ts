import type { Command } from 'commander';

import { recordAudit } from '@threadline/db';
import { issueClaimToken } from '@threadline/db/account-claims';

import { parseFormat, withFormat } from '../output.js';
import { loadRuntime, withPool } from '../runtime.js';

export function registerUsers(program: Command): void {
  const users = program.command('users').description('shop accounts');
  withFormat(
    users
      .command('claim-token <email>')
      .description('issue a one-time link (valid 7 days) with which a customer imported from the old shop sets a password')
      .option('--base-url <url>', 'public address of the shop, for the link', ''),
    ['table', 'json'],
  ).action(async (email: string, options: { baseUrl: string; format: string }) => {
    const runtime = loadRuntime('users');
    const issued = await withPool(runtime, async (pool) => {
      const result = await issueClaimToken(pool, { email }, null);
      if (result) await recordAudit(pool, { action: 'user.claim_token_issued', actorType: 'system', target: `user:${result.userId}` });
      return result;
    });
    if (!issued) throw new Error(`no active account with the email ${email}`);
    const base = options.baseUrl || `http://localhost:${runtime.config.webPort}`;
    const url = `${base.replace(/\/$/, '')}/claim?token=${issued.token}`;
    if (parseFormat(options.format, ['table', 'json']) === 'json') {
      console.log(JSON.stringify({ email: issued.email, url, expiresAt: issued.expiresAt.toISOString() }, null, 2));
    } else {
      console.log(`Send this link to ${issued.email} (valid until ${issued.expiresAt.toISOString()}):\n${url}`);
    }
  });
}

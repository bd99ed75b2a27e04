import type { Command } from 'commander';

import { checkPasswordRules, hashPassword } from '@threadline/auth';
import { hasPgCode, insertUser, PG_ERROR, recordAudit, type UserRole } from '@threadline/db';
import { issueClaimToken } from '@threadline/db/account-claims';
import { setLegacyCustomerEmail } from '@threadline/db/legacy';

import { readPassword } from './read-password.js';

import { parseFormat, withFormat } from '../output.js';
import { loadRuntime, withPool } from '../runtime.js';

const ROLES: readonly UserRole[] = ['admin', 'seller', 'marketing', 'customer'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface CreateOptions {
  email: string;
  name?: string;
  role: string;
  passwordStdin: boolean;
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('shop accounts');
  users
    .command('create')
    .description('create an account, e.g. the first admin of an installation without demo data (password from a prompt, or stdin)')
    .requiredOption('--email <email>', 'sign-in e-mail of the account')
    .option('--name <name>', 'display name (default: the part of the e-mail before @)')
    .option('--role <role>', `one of ${ROLES.join(', ')}`, 'customer')
    .option('--password-stdin', 'read the password from standard input (first line) instead of prompting', false)
    .addHelpText('after', '\nExamples:\n  threadline users create --role admin --email owner@shop.example\n  printf "%s\\n" "$ADMIN_PASSWORD" | threadline users create --role admin --email owner@shop.example --password-stdin')
    .action(async (options: CreateOptions) => {
      const role = ROLES.find((candidate) => candidate === options.role);
      if (!role) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
      const email = options.email.trim();
      if (!EMAIL.test(email) || email.length > 254) throw new Error(`--email "${email}" is not an e-mail address`);
      const name = (options.name ?? email.split('@')[0] ?? '').trim().slice(0, 100) || 'Admin';
      const password = await readPassword({ fromStdin: options.passwordStdin || !process.stdin.isTTY, prompt: `Password for ${email}: ` });
      const problem = checkPasswordRules(password);
      if (problem) throw new Error(problem);
      const runtime = loadRuntime('users');
      const created = await withPool(runtime, async (pool) => {
        try {
          const user = await insertUser(pool, { email, name, role, passwordHash: await hashPassword(password) });
          await recordAudit(pool, { action: 'user.created', actorType: 'system', target: `user:${user.id}`, details: { role, via: 'cli' } });
          return user;
        } catch (error) {
          if (hasPgCode(error, PG_ERROR.UNIQUE_VIOLATION)) throw new Error(`an account with the e-mail ${email} already exists`);
          throw error;
        }
      });
      console.log(`created ${created.role} account #${created.id} for ${email}; sign in at the shop's /login`);
    });
  withFormat(
    users
      .command('claim-token <email>')
      .description('issue a one-time link (valid 7 days) with which a customer imported from the old shop sets a password')
      .option('--base-url <url>', 'public address of the shop, for the link', '')
      .option('--legacy-id <id>', 'a customer imported without an e-mail: <email> becomes their sign-in address first'),
    ['table', 'json'],
  ).action(async (email: string, options: { baseUrl: string; format: string; legacyId?: string }) => {
    const runtime = loadRuntime('users');
    if (options.legacyId !== undefined && (!EMAIL.test(email) || email.length > 254)) throw new Error(`"${email}" is not an e-mail address`);
    const issued = await withPool(runtime, async (pool) => {
      let userId: number | undefined;
      if (options.legacyId !== undefined) {
        const set = await setLegacyCustomerEmail(pool, { legacyId: options.legacyId, email });
        if ('refused' in set) throw new Error(set.refused);
        userId = set.userId;
      }
      const result = await issueClaimToken(pool, userId !== undefined ? { id: userId } : { email }, null);
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

import path from 'node:path';

import type { Command } from 'commander';

import { loadConfig } from '@threadline/config';
import { createSelfSignedCertificate } from '@threadline/edge';

export function registerTls(program: Command): void {
  const tls = program.command('tls').description('HTTPS certificates for the web tier');
  tls
    .command('self-signed')
    .description('make a self-signed certificate for local HTTPS (ECDSA P-256, localhost + 127.0.0.1 + ::1)')
    .option('--out <dir>', 'folder for cert.pem and key.pem (default: $THREADLINE_DATA_DIR/tls)')
    .option('--host <names...>', 'extra DNS names or IPs to include, e.g. shop.local')
    .option('--days <n>', 'validity in days', '397')
    .option('--force', 'replace an existing certificate')
    .action(async (options: { out?: string; host?: string[]; days: string; force?: boolean }) => {
      const days = Number(options.days);
      if (!Number.isInteger(days) || days < 1 || days > 825) throw new Error(`--days must be a whole number 1-825 (got "${options.days}")`);
      const dir = path.resolve(options.out ?? path.join(loadConfig().dataDir, 'tls'));
      const created = await createSelfSignedCertificate({ dir, hostnames: options.host ?? [], days, isForced: options.force === true });
      console.log(`certificate: ${created.certPath}`);
      console.log(`key:         ${created.keyPath} (mode 600)`);
      console.log(`subject:     ${created.subject.replaceAll('\n', ', ')}`);
      console.log(`valid until: ${created.validTo}`);
      console.log(`SHA-256:     ${created.fingerprint256}`);
      console.log('\nServe HTTPS with:');
      console.log(`  THREADLINE_TLS_CERT=${created.certPath} THREADLINE_TLS_KEY=${created.keyPath} THREADLINE_HTTP_REDIRECT_PORT=8079 npm start`);
      console.log(`Trust it for curl: curl --cacert ${created.certPath} https://localhost:8080/`);
    });
}

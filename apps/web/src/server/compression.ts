/**
 * Response compression at the web tier, as a CDN or nginx would do it in front of the shop.
 * Built assets are compressed once at build time (vite-plugin-compression2 writes .br and .gz
 * beside each file, at the highest levels) and sent as they are by @fastify/static; everything
 * made per request (pages, API JSON passing through, sitemap) is compressed on the way out at a
 * level cheap enough to keep the proxy fast: brotli quality 4 (the plugin's default), gzip 6.
 */
import { constants } from 'node:zlib';

import compress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';

/** Smaller answers gain less than the compression header and CPU cost. */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

/** Registers compression for every route registered after it (it hooks routes as they are added). */
export async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(compress, {
    global: true,
    encodings: ['br', 'gzip'],
    threshold: COMPRESSION_THRESHOLD_BYTES,
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
    zlibOptions: { level: 6 },
  });
}

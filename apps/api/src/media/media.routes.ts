import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

import { Type } from '@sinclair/typebox';

import { IMAGE_FILE_PATTERN, IMAGE_KEY_PATTERN, imageDir } from '@threadline/media';

import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../errors.js';
import { errors } from '../http/common.schemas.js';

/**
 * `GET /media/images/:key/:file`: stored product images. Files are content-addressed and never
 * change, so they are cacheable for a year. Key and file are matched against strict patterns
 * before touching the disk, which rules out path traversal.
 */
export async function mediaRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  app.get(
    '/media/images/:key/:file',
    {
      schema: {
        tags: ['media'],
        summary: 'A stored product image size (WebP, immutable)',
        params: Type.Object({
          key: Type.String({ pattern: IMAGE_KEY_PATTERN.source }),
          file: Type.String({ pattern: IMAGE_FILE_PATTERN.source }),
        }),
        response: { 200: Type.Unknown({ description: 'image/webp bytes' }), ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      const file = path.join(imageDir(context.config.dataDir, request.params.key), request.params.file);
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) throw notFound('image', 'file');
      return reply
        .header('content-type', 'image/webp')
        .header('content-length', info.size)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .send(createReadStream(file));
    },
  );
}

#!/usr/bin/env node
// Writes imagedefinitions-<tier>.json for the CodePipeline ECS deploy actions (and the GitHub
// workflow): `node deploy/ci/image-definitions.mjs --registry R --tag T [--out DIR]`.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { parseArgs } from './args.mjs';

/** Container names in the ECS task definitions, and ECR repositories threadline/<tier>. */
export const TIERS = ['web', 'api', 'worker'];

/**
 * The ECS "image definitions" document of one tier.
 * @param {string} registry e.g. 123456789012.dkr.ecr.ap-northeast-2.amazonaws.com
 * @param {string} tag an immutable tag (the commit)
 * @param {string} tier
 */
export function imageDefinitions(registry, tag, tier) {
  if (!TIERS.includes(tier)) throw new Error(`unknown tier "${tier}" (expected ${TIERS.join(', ')})`);
  if (!/^[\w.-]{1,128}$/.test(tag) || tag === 'latest') throw new Error(`image tag "${tag}" must be an immutable tag such as the commit id`);
  if (!/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/.test(registry)) throw new Error(`registry "${registry}" is not a registry host`);
  return [{ name: tier, imageUri: `${registry}/threadline/${tier}:${tag}` }];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const options = parseArgs(process.argv.slice(2), ['registry', 'tag']);
    const out = options.out ?? '.';
    for (const tier of TIERS) {
      const file = path.join(out, `imagedefinitions-${tier}.json`);
      writeFileSync(file, `${JSON.stringify(imageDefinitions(options.registry ?? '', options.tag ?? '', tier))}\n`);
      console.log(`wrote ${file}`);
    }
  } catch (error) {
    console.error(`image-definitions: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

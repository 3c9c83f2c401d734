/** Writes docs/openapi.json from the schemas: `npx tsx lambdas/api/write-openapi.ts`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderOpenApiJson } from './openapi';

const target = join(__dirname, '..', '..', 'docs', 'openapi.json');
writeFileSync(target, renderOpenApiJson());
process.stdout.write(`wrote ${target}\n`);

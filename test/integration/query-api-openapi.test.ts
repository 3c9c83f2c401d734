/**
 * The OpenAPI document: valid OpenAPI 3, the same as the committed docs/openapi.json, and in step
 * with the router and the parameter schema it is generated from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, renderOpenApiJson } from '../../lambdas/api/openapi';
import { ROUTES } from '../../lambdas/api/router';
import { sessionQuerySchema } from '../../lambdas/core/query/parameters';

type Operation = { parameters?: { name: string; in: string; schema: Record<string, unknown> }[]; responses: Record<string, unknown> };
type Paths = Record<string, Record<string, Operation>>;

describe('OpenAPI document', () => {
  it('validates as OpenAPI 3', async () => {
    const validated = await SwaggerParser.validate(structuredClone(buildOpenApiDocument()) as never);
    expect((validated as { openapi?: string }).openapi).toMatch(/^3\./);
  });

  it('is committed as docs/openapi.json, unchanged (regenerate: npx tsx lambdas/api/write-openapi.ts)', () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8');
    expect(committed).toBe(renderOpenApiJson());
  });

  it('describes exactly the routes the router serves, with their methods', () => {
    const paths = buildOpenApiDocument().paths as Paths;
    expect(Object.keys(paths).sort()).toEqual(ROUTES.map((route) => route.resource).sort());
    for (const route of ROUTES) expect(Object.keys(paths[route.resource] ?? {}).map((m) => m.toUpperCase())).toEqual([...route.methods]);
  });

  it('lists every accepted query parameter with the schema that validates it', () => {
    const operation = (buildOpenApiDocument().paths as Paths)['/sessions']?.get;
    const parameters = operation?.parameters ?? [];
    expect(parameters.map((p) => p.name)).toEqual(Object.keys(sessionQuerySchema.shape));
    const limit = parameters.find((p) => p.name === 'limit');
    expect(limit?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000, default: 100 });
    expect(parameters.find((p) => p.name === 'order')?.schema).toMatchObject({ enum: ['desc', 'asc'], default: 'desc' });
    expect(Object.keys(operation?.responses ?? {})).toEqual(['200', '400', '405', '503']);
  });
});

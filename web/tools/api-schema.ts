/**
 * The dashboard's API types, generated from the server's own OpenAPI document: paths, parameters
 * and request bodies as the routes declare them, so a page that sends what a route would refuse
 * does not compile. `npx tsx web/tools/api-schema.ts` writes web/src/api/schema.d.ts; a test
 * regenerates it and fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { fixture } from '../../adapters/http/test-support/fixture.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../src/api/schema.d.ts', import.meta.url));

const HEADER = `/**
 * The gpupool HTTP API's types, generated from its OpenAPI document by web/tools/api-schema.ts:
 * do not edit by hand (\`npx tsx web/tools/api-schema.ts\` writes it again).
 */
`;

export async function apiSchema(): Promise<string> {
  const f = await fixture();
  try {
    const doc = (await f.call('nobody', 'GET', '/docs/json')).body;
    return HEADER + astToString(await openapiTS(doc, { alphabetize: true }));
  } finally {
    await f.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_FILE, await apiSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}

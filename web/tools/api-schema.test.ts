/** The dashboard's API types are the server's OpenAPI document as it is now (see api-schema.ts). */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { apiSchema, SCHEMA_FILE } from './api-schema.js';

it('web/src/api/schema.d.ts is generated from the current OpenAPI document (npx tsx web/tools/api-schema.ts)', async () => {
  expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await apiSchema());
});

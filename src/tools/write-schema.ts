// Writes codebooks/codebook.schema.json from the validator's own schema (npm run schema).
import { writeFileSync } from 'node:fs';
import { codebookJsonSchema } from '../core/codebook-schema.js';

const target = new URL('../../codebooks/codebook.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(codebookJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target.pathname}\n`);

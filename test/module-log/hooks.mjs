import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  appendFileSync(process.env.QCODE_TEST_MODULE_LOG, `${specifier}\n`);
  return next(specifier, context);
}

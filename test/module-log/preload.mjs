// Loaded with node --import: appends every module request of the run (ESM imports through a resolve hook,
// require and createRequire through Module._load) to the file $QCODE_TEST_MODULE_LOG, one per line.
import Module, { register } from 'node:module';
import { appendFileSync } from 'node:fs';

const log = process.env.QCODE_TEST_MODULE_LOG;
if (log) {
  const load = Module._load;
  Module._load = function (request, ...rest) {
    appendFileSync(log, `${request}\n`);
    return load.call(this, request, ...rest);
  };
  register('./hooks.mjs', import.meta.url);
}

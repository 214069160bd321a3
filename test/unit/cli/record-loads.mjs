/**
 * `node --import ./record-loads.mjs ...`: writes the URL of every module the process resolves, one a
 * line, to $RECORD_LOADS_FILE. Lets a test see what a command line really loads.
 */
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

// Imported once by --import on the main thread, which registers this same file as the hooks module;
// module hooks run on their own thread.
if (isMainThread) register(import.meta.url);

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const file = process.env.RECORD_LOADS_FILE;
  if (file) appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}

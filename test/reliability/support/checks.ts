/** Traces of internals a response must never carry: stack frames, file positions, driver errors. */
export const INTERNALS =
  /\bat\s+[\w$.<>[\] ]+\s+\((?:file:|node:|\/)|\n\s+at\s|\.(?:js|ts|mjs|cjs):\d+:\d+|node_modules|QueryFailedError|TypeORMError|EntityMetadataNotFound|duplicate key value violates|violates (?:check|foreign key|not-null) constraint|syntax error at or near/;

/**
 * What is wrong with a response, if anything: any 5xx, internals in an error body, and a 4xx that is
 * not the documented problem+json shape with a matching status.
 */
export function responseViolations(status: number, contentType: string | undefined, text: string): string[] {
  const out: string[] = [];
  if (status === 0) return ['no response (connection error or timeout)'];
  if (status >= 500) out.push(`server error ${status}`);
  if (status >= 400) {
    if (INTERNALS.test(text)) out.push('internals (stack trace or driver message) in the body');
    if (!/^application\/problem\+json/.test(contentType ?? ''))
      out.push(`content-type ${contentType ?? '(none)'} instead of application/problem+json`);
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      out.push('body is not JSON');
    }
    if (body) {
      if (body.status !== status) out.push(`body status ${String(body.status)} differs from ${status}`);
      for (const field of ['type', 'title', 'instance'])
        if (typeof body[field] !== 'string') out.push(`problem field ${field} missing`);
      if (typeof body.detail !== 'string' && !(status === 422 && isV1ValidationDetail(body.detail)))
        out.push('problem field detail missing');
    }
  }
  return out;
}

/** A /api/v1 422 `detail`: the original's list of pydantic-style `{type, loc, msg}` items. */
function isV1ValidationDetail(detail: unknown): boolean {
  return (
    Array.isArray(detail) &&
    detail.length > 0 &&
    detail.every(
      (i: { type?: unknown; loc?: unknown; msg?: unknown }) =>
        typeof i?.type === 'string' && Array.isArray(i.loc) && typeof i.msg === 'string',
    )
  );
}

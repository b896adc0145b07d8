import { STATUS_CODES } from 'node:http';
import type { V1ValidationItem } from '../v1/v1.js';
import { DomainError } from './domain-error.js';
import { CommonErrorCode } from './error-codes.js';
import { PROBLEM_BASE, toProblem, type Problem } from './problem-details.filter.js';
import { ValidationFailedException, type FieldIssue } from './validation.js';

/** Pydantic's type and message for the class-validator constraints v1 DTOs use without a context. */
const PYDANTIC: Record<string, { type: string; msg: string }> = {
  isInt: {
    type: 'int_parsing',
    msg: 'Input should be a valid integer, unable to parse string as an integer',
  },
  isString: { type: 'string_type', msg: 'Input should be a valid string' },
  isBoolean: { type: 'bool_parsing', msg: 'Input should be a valid boolean' },
  isNumber: { type: 'float_parsing', msg: 'Input should be a valid number' },
  isDefined: { type: 'missing', msg: 'Field required' },
};

/**
 * Pydantic reports a value of the wrong type once (`int_parsing`), not with every range rule it then
 * also breaks; an absent field only as `missing`.
 */
function typeErrorsFirst(issues: FieldIssue[]): FieldIssue[] {
  const typeFailed = new Set(
    issues.filter((i) => i.missing || (i.constraint && PYDANTIC[i.constraint])).map((i) => i.field),
  );
  return issues.filter(
    (i) => !typeFailed.has(i.field) || i.missing || (i.constraint && PYDANTIC[i.constraint]),
  );
}

function item(issue: FieldIssue, location: string): V1ValidationItem {
  const loc = [location, ...issue.field.split('.')];
  if (issue.missing) return { type: 'missing', loc, msg: 'Field required', input: null };
  const rule = (issue.context?.v1 ?? undefined) as
    { type: string; ctx?: Record<string, unknown> } | undefined;
  const known = issue.constraint ? PYDANTIC[issue.constraint] : undefined;
  const type = rule?.type ?? known?.type ?? 'value_error';
  const msg =
    rule || !known
      ? issue.constraint === 'isEmail'
        ? `value is not a valid email address: ${issue.message}`
        : issue.message
      : known.msg;
  return {
    type,
    loc,
    msg,
    ...('input' in issue ? { input: issue.input } : {}),
    ...(rule?.ctx ? { ctx: rule.ctx } : {}),
  };
}

/** Where body-parser says the JSON broke, as the original's `json_invalid` item reports it. */
function jsonInvalid(err: { message?: string }): V1ValidationItem {
  const at = /position (\d+)/.exec(err.message ?? '');
  return {
    type: 'json_invalid',
    loc: ['body', at ? Number(at[1]) : 0],
    msg: 'JSON decode error',
    input: {},
    ctx: { error: err.message ?? 'Invalid JSON' },
  };
}

/**
 * The /api/v1 error body: the same problem+json as v2 (`type`, `title`, `status`, `instance`, and
 * `errors` on a 422), but `detail` is what the original PWA reads: on a 422 a list of pydantic-style
 * `{type, loc, msg, input?, ctx?}` items, otherwise the original's sentence.
 */
export function toV1Problem(err: unknown, instance: string): V1Problem {
  const problem = toProblem(err, instance);
  // body-parser's error, or the framework's 400 wrapping it (as its `cause`).
  const parseError = [err, (err as { cause?: unknown } | undefined)?.cause].find(
    (e) => (e as { type?: string } | undefined)?.type === 'entity.parse.failed',
  );
  if (parseError)
    return {
      ...problem,
      type: `${PROBLEM_BASE}${CommonErrorCode.MalformedJson}`,
      code: CommonErrorCode.MalformedJson,
      status: 422,
      title: titleOf(422),
      detail: [jsonInvalid(parseError as Error)],
      errors: [{ field: 'body', message: 'is not valid JSON' }],
    };
  if (err instanceof ValidationFailedException)
    return { ...problem, detail: typeErrorsFirst(err.issues).map((i) => item(i, err.location)) };
  if (err instanceof DomainError && err.v1) {
    const status = err.v1.status ?? problem.status;
    return {
      ...problem,
      status,
      title: status === problem.status ? problem.title : titleOf(status),
      detail: err.v1.detail,
    };
  }
  // The original PWA reads every 422 `detail` as a list of items: a business rule's 422 becomes one.
  if (problem.status === 422)
    return {
      ...problem,
      detail: (problem.errors ?? [{ field: '', message: problem.detail }]).map((e) => ({
        type: 'value_error',
        loc: ['body', ...(e.field ? e.field.split('.') : [])],
        msg: e.message,
      })),
    };
  if (problem.status === 404 && problem.detail === 'No route matches this method and path.')
    return { ...problem, detail: 'Not Found' };
  // The original's sentences carry no final full stop ("Not authenticated", "User not found").
  return { ...problem, detail: problem.detail.replace(/\.$/, '') };
}

const titleOf = (status: number) => STATUS_CODES[status] ?? 'Error';

interface V1Problem extends Omit<Problem, 'detail'> {
  type: string;
  title: string;
  status: number;
  instance: string;
  detail: string | V1ValidationItem[];
}

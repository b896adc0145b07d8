import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsString, Min } from 'class-validator';
import { LenientFields, v1Rule } from '../v1/v1.js';
import { NotFoundError, UnauthorizedError } from './domain-error.js';
import { TransactionErrorCode } from './error-codes.js';
import { toV1Problem } from './v1-problem.js';
import { AppValidationPipe, ValidationFailedException } from './validation.js';

class StrictBody {
  @IsString() name: string;
  @IsInt()
  @Min(1, v1Rule('greater_than_equal', 'Input should be greater than or equal to 1', { ge: 1 }))
  count: number;
}

@LenientFields()
class LenientBody extends StrictBody {}

@LenientFields()
class LenientQuery {
  @Type(() => Number)
  @IsInt()
  @Min(1, v1Rule('greater_than_equal', 'Input should be greater than or equal to 1', { ge: 1 }))
  days: number;
}

const pipe = new AppValidationPipe();
const body = (metatype: new () => object) => ({ type: 'body' as const, metatype });

async function failure(promise: Promise<unknown>): Promise<ValidationFailedException> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ValidationFailedException) return err;
    throw err;
  }
  throw new Error('expected a validation failure');
}

describe('the validation pipe, per DTO class', () => {
  it('rejects unknown fields on ordinary (v2) DTOs', async () => {
    const err = await failure(pipe.transform({ name: 'a', count: 1, extra: 1 }, body(StrictBody)));
    expect(err.errors).toEqual([{ field: 'extra', message: 'is not an allowed field' }]);
  });

  it('drops unknown fields on @LenientFields() (v1) DTOs, inherited rules included', async () => {
    const out = await pipe.transform({ name: 'a', count: 2, extra: 1 }, body(LenientBody));
    expect(out).toEqual({ name: 'a', count: 2 });
    expect(out).toBeInstanceOf(LenientBody);
  });

  it('still rejects invalid known fields on lenient DTOs', async () => {
    const err = await failure(pipe.transform({ count: 0, extra: 1 }, body(LenientBody)));
    expect(err.errors.map((e) => e.field).sort()).toEqual(['count', 'name']);
    expect(err.location).toBe('body');
  });
});

describe('the v1 error body', () => {
  it('turns a 422 into pydantic-style items the original PWA prints', async () => {
    const err = await failure(pipe.transform({ count: 0 }, body(LenientBody)));
    const p = toV1Problem(err, '/api/v1/x');
    expect(p.status).toBe(422);
    expect(p.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'count' })]));
    expect(p.detail).toEqual(
      expect.arrayContaining([
        { type: 'missing', loc: ['body', 'name'], msg: 'Field required', input: null },
        {
          type: 'greater_than_equal',
          loc: ['body', 'count'],
          msg: 'Input should be greater than or equal to 1',
          input: 0,
          ctx: { ge: 1 },
        },
      ]),
    );
  });

  it('says where a query value failed and echoes the raw input', async () => {
    const err = await failure(pipe.transform({ days: 'abc' }, { type: 'query', metatype: LenientQuery }));
    const p = toV1Problem(err, '/api/v1/x');
    expect(p.detail).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'int_parsing', loc: ['query', 'days'] })]),
    );
  });

  it('answers malformed JSON with a 422 json_invalid item, as the original did', () => {
    const parseError = Object.assign(new SyntaxError('Unexpected token } in JSON at position 9'), {
      type: 'entity.parse.failed',
      status: 400,
    });
    const p = toV1Problem(parseError, '/api/v1/x');
    expect(p.status).toBe(422);
    expect(p.detail).toEqual([
      expect.objectContaining({ type: 'json_invalid', loc: ['body', 9], msg: 'JSON decode error' }),
    ]);
  });

  it("uses the original's wording and status where an error carries them", () => {
    const dup = new NotFoundError('x').inV1('Merchant with this email or phone already exists', 400);
    expect(toV1Problem(dup, '/api/v1/x')).toMatchObject({
      status: 400,
      title: 'Bad Request',
      detail: 'Merchant with this email or phone already exists',
    });
  });

  it('otherwise keeps the sentence without its final full stop', () => {
    expect(toV1Problem(new UnauthorizedError('Not authenticated.'), '/api/v1/x')).toMatchObject({
      status: 401,
      detail: 'Not authenticated',
      type: expect.stringContaining('unauthorized'),
    });
  });
});

describe('a business rule 422 on v1', () => {
  it('is an item list too, so the PWA can print it', async () => {
    const { UnprocessableError } = await import('./domain-error.js');
    const p = toV1Problem(
      new UnprocessableError(TransactionErrorCode.UserNotFound, 'No customer 9.', 'user_id'),
      '/api/v1/x',
    );
    expect(p.detail).toEqual([{ type: 'value_error', loc: ['body', 'user_id'], msg: 'No customer 9.' }]);
  });
});

import { BadRequestException, NotFoundException } from '@nestjs/common';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { ConflictError, DomainError, UnprocessableError } from './domain-error.js';
import { TransactionErrorCode, UserErrorCode } from './error-codes.js';
import { isDatabaseUnavailable, toProblem } from './problem-details.filter.js';
import { ValidationFailedException } from './validation.js';

describe('toProblem', () => {
  it('maps domain errors with their code and field errors', () => {
    const p = toProblem(
      new UnprocessableError(TransactionErrorCode.UserNotFound, 'No customer.', 'user_id'),
      '/x',
    );
    expect(p).toMatchObject({ status: 422, code: 'user-not-found', detail: 'No customer.', instance: '/x' });
    expect(p.errors).toEqual([{ field: 'user_id', message: 'No customer.' }]);
    expect(toProblem(new ConflictError(TransactionErrorCode.BillAlreadyPaid, 'Paid.'), '/x')).toMatchObject({
      status: 409,
      title: 'Conflict',
      code: 'bill-already-paid',
      type: 'https://graminstore.in/problems/bill-already-paid',
    });
  });

  it('takes the status and title from the code', () => {
    expect(toProblem(new DomainError(UserErrorCode.PhoneTooShort, 'Too short.'), '/x')).toMatchObject({
      status: 400,
      title: 'Bad Request',
      code: 'phone-too-short',
    });
  });

  it('maps validation failures to 422 with every field', () => {
    const p = toProblem(
      new ValidationFailedException([{ field: 'amount', message: 'must be positive' }]),
      '/x',
    );
    expect(p).toMatchObject({
      status: 422,
      code: 'validation-error',
      detail: 'Invalid request: amount must be positive.',
    });
  });

  it('maps PostgreSQL errors: unique 409, outage 503, anything else 500 without internals', () => {
    expect(toProblem({ code: '23505', detail: 'Key (email)=(a@b.c) exists' }, '/x')).toMatchObject({
      status: 409,
    });
    expect(
      toProblem({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }, '/x').status,
    ).toBe(503);
    expect(toProblem(new Error('Connection terminated unexpectedly'), '/x').status).toBe(503);
    const internal = toProblem(new Error('relation "secret_table" does not exist'), '/x');
    expect(internal.status).toBe(500);
    expect(JSON.stringify(internal)).not.toContain('secret_table');
  });

  it('maps values PostgreSQL cannot take from a request to 422 without internals', () => {
    const nul = toProblem(
      { code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00' },
      '/x',
    );
    expect(nul).toMatchObject({ status: 422, code: 'invalid-characters' });
    expect(JSON.stringify(nul)).not.toContain('0x00');
    expect(
      toProblem({ driverError: { code: '22P02', message: 'invalid input syntax for type bigint' } }, '/x'),
    ).toMatchObject({ status: 422, code: 'invalid-value' });
    expect(toProblem(new URIError('URI malformed'), '/x')).toMatchObject({
      status: 422,
      code: 'invalid-characters',
    });
  });

  it('maps body-parser and routing errors', () => {
    expect(toProblem({ type: 'entity.parse.failed', status: 400 }, '/x')).toMatchObject({
      status: 400,
      code: 'malformed-json',
    });
    expect(toProblem({ type: 'entity.too.large', status: 413 }, '/x').status).toBe(413);
    expect(toProblem(new NotFoundException('Cannot GET /nope'), '/nope').detail).toBe(
      'No route matches this method and path.',
    );
    expect(
      toProblem(new BadRequestException('Validation failed (numeric string is expected)'), '/x').status,
    ).toBe(400);
  });

  it('answers a stack overflow from a deeply nested body with 400', () => {
    let nested: unknown = 1;
    for (let i = 0; i < 100_000; i++) nested = [nested];
    let overflow: unknown;
    try {
      JSON.stringify(nested);
    } catch (err) {
      overflow = err;
    }
    expect(overflow).toBeInstanceOf(RangeError);
    expect(toProblem(overflow, '/x')).toMatchObject({ status: 400, code: 'too-deeply-nested' });
    expect(toProblem(new RangeError('Invalid array length'), '/x').status).toBe(500);
  });

  it('recognises database outages and nothing else', () => {
    expect(isDatabaseUnavailable({ code: '57P01' })).toBe(true);
    expect(isDatabaseUnavailable({ driverError: { code: '08006' } })).toBe(true);
    expect(isDatabaseUnavailable(new QueryRunnerAlreadyReleasedError())).toBe(true);
    expect(isDatabaseUnavailable(new QueryRunnerProviderAlreadyReleasedError())).toBe(true);
    expect(isDatabaseUnavailable({ code: '23505' })).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

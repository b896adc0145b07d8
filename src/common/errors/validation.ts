import {
  ArgumentMetadata,
  HttpException,
  Injectable,
  PipeTransform,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { LENIENT_FIELDS } from '../v1/v1.js';

interface FieldError {
  field: string;
  message: string;
}

/** Where a failed value came from, in the original API's words. */
type FieldLocation = 'body' | 'query' | 'path';

/** One failed constraint with what a v1 (pydantic-style) error item needs beyond `field`/`message`. */
export interface FieldIssue extends FieldError {
  /** The class-validator constraint that failed, e.g. `min`, `isInt`. */
  constraint?: string;
  /** The `context` a DTO gave the constraint (v1 DTOs put their pydantic type and ctx there). */
  context?: Record<string, unknown>;
  /** True when the field was absent. */
  missing?: boolean;
  /** The offending value; only collected for lenient (v1) DTOs, never for passwords. */
  input?: unknown;
}

/** A 422 carrying one entry per invalid field. */
export class ValidationFailedException extends HttpException {
  readonly errors: FieldError[];

  constructor(
    readonly issues: FieldIssue[],
    readonly location: FieldLocation = 'body',
  ) {
    const errors = issues.map(({ field, message }) => ({ field, message }));
    super({ message: 'The request has invalid fields.', errors }, 422);
    this.errors = errors;
  }
}

const SECRET_FIELD = /password/i;

function flatten(errors: ValidationError[], parent = ''): FieldIssue[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([constraint, message]) => ({
      field,
      constraint,
      message: message.replace(/^property (\S+) should not exist$/, 'is not an allowed field'),
      context: e.contexts?.[constraint] as Record<string, unknown> | undefined,
      missing: e.value === undefined && constraint !== 'whitelistValidation',
      ...('value' in e && e.value !== undefined && !SECRET_FIELD.test(field) ? { input: e.value } : {}),
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

const LOCATIONS: Partial<Record<ArgumentMetadata['type'], FieldLocation>> = {
  body: 'body',
  query: 'query',
  param: 'path',
};

/**
 * A hand-written check of one hot route's body: the DTO instance exactly as the full pipe would return
 * it, or undefined for anything it does not recognise as plainly valid (the full pipe then decides and
 * words the errors). It may only accept what the DTO's decorators accept.
 */
export type PrecompiledBody<T extends object> = (body: unknown) => T | undefined;

const precompiled = new Map<abstract new () => object, PrecompiledBody<object>>();

/** Registers the fast check of a request body DTO; its spec must compare it with the full pipe. */
export function precompileBody<T extends object>(dto: new () => T, check: PrecompiledBody<T>): void {
  precompiled.set(dto, check);
}

/** The fast check registered for `dto`, if any. */
export function precompiledBody<T extends object>(dto: new () => T): PrecompiledBody<T> | undefined {
  return precompiled.get(dto) as PrecompiledBody<T> | undefined;
}

/**
 * The one validation pipe: whitelist on, failures as 422 field lists. Unknown fields are rejected,
 * except on DTO classes marked `@LenientFields()` (the v1 surface), where they are dropped. A body DTO
 * with a precompiled check (see {@link precompileBody}) skips class-transformer and class-validator
 * when that check accepts the body.
 */
@Injectable()
export class AppValidationPipe implements PipeTransform {
  private readonly strict = this.build(true);
  private readonly lenient = this.build(false);

  /** `precompiledChecks: false` runs every body through class-validator (the specs compare the two). */
  constructor(private readonly precompiledChecks = true) {}

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Nest's pipe leaves values of custom parameter decorators (`@CurrentPrincipal()`) as they are.
    if (metadata.type === 'custom') return value;
    if (this.precompiledChecks && metadata.type === 'body' && metadata.metatype) {
      const checked = precompiled.get(metadata.metatype)?.(value);
      if (checked) return checked;
    }
    const lenient = !!metadata.metatype && Reflect.getMetadata(LENIENT_FIELDS, metadata.metatype) === true;
    try {
      return await (lenient ? this.lenient : this.strict).transform(value, metadata);
    } catch (err) {
      if (err instanceof ValidationFailedException && LOCATIONS[metadata.type])
        throw new ValidationFailedException(err.issues, LOCATIONS[metadata.type]);
      throw err;
    }
  }

  private build(forbidUnknown: boolean): ValidationPipe {
    return new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: forbidUnknown,
      transform: true,
      stopAtFirstError: false,
      // Values are kept only where a v1 error item echoes them (`input`), as the original did.
      validationError: { target: false, value: !forbidUnknown },
      exceptionFactory: (errors) => new ValidationFailedException(flatten(errors)),
    });
  }
}

export function createValidationPipe(): AppValidationPipe {
  return new AppValidationPipe();
}

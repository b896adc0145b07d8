import { HttpException, ValidationError, ValidationPipe } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

/** A 422 carrying one entry per invalid field. */
export class ValidationFailedException extends HttpException {
  constructor(readonly errors: FieldError[]) {
    super({ message: 'The request has invalid fields.', errors }, 422);
  }
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({
      field,
      message: message.replace(/^property (\S+) should not exist$/, 'is not an allowed field'),
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** The one validation pipe: whitelist on, unknown fields rejected, failures as 422 field lists. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedException(flatten(errors)),
  });
}

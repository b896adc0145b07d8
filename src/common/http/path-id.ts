import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

const PLAIN_ID = /^[1-9]\d{0,14}$/;

/**
 * Reads a path id as plain decimal digits only. `Number()` (which the global pipe's implicit
 * conversion uses) would read `8.48e2`, `0x350` or `+848` as 848; those are a 400 here, as any other malformed id.
 */
function parsePathId(raw: unknown, name: string): number {
  if (typeof raw !== 'string' || !PLAIN_ID.test(raw))
    throw new BadRequestException(
      `The path parameter ${name} must be a positive whole number (digits only).`,
    );
  return Number(raw);
}

/**
 * A numeric path parameter, digits only. A custom decorator on purpose: the global validation pipe
 * does not see it, so nothing converts the text before it is checked. Document it with `@ApiParam`.
 */
export const PathId = createParamDecorator((name: string, ctx: ExecutionContext): number =>
  parsePathId(ctx.switchToHttp().getRequest<Request>().params[name], name),
);

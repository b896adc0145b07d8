import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

class FieldErrorDto {
  @ApiProperty({ example: 'amount' }) field: string;
  @ApiProperty({ example: 'must be a positive amount in rupees with at most 2 decimals' }) message: string;
}

/** RFC 9457 problem details: the shape of every error response. */
export class ProblemDto {
  @ApiProperty({ example: 'https://graminstore.in/problems/validation-error' }) type: string;
  @ApiProperty({ example: 'Unprocessable Content' }) title: string;
  @ApiProperty({ example: 422 }) status: number;
  @ApiProperty({ example: 'Invalid request: amount must be a positive amount in rupees.' }) detail: string;
  @ApiProperty({ example: '/api/v2/transactions/create' }) instance: string;
  @ApiProperty({ example: 'validation-error' }) code: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (for example, invalid JSON)',
  401: 'Missing, invalid or expired token',
  403: 'The token is valid but its role may not call this route',
  404: 'Not found (or not yours)',
  409: 'Conflict with the current state (duplicate, already settled, request in flight)',
  422: 'Validation failed; `errors` lists each field',
  429: 'Too many attempts; see Retry-After',
  503: 'The database is unavailable; retry later',
};

/** Documents the problem+json responses a route can give. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error',
        type: ProblemDto,
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } },
      }),
    ),
  );
}

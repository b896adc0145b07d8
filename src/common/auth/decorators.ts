import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal, Role } from './role.js';

export const IS_PUBLIC = 'graminstore:public';
export const ROLES_KEY = 'graminstore:roles';

/** The route needs no token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
export const OPTIONAL_AUTH = 'graminstore:optional-auth';
/**
 * The route needs no token, but a valid one identifies the caller (`@CurrentPrincipal()` is then set,
 * otherwise undefined); an invalid token is treated as none.
 */
export const OptionalAuth = () => applyDecorators(Public(), SetMetadata(OPTIONAL_AUTH, true));

/** Only these roles may call the route (others get 403). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** The caller proven by the access token. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest<{ user: Principal }>().user,
);

import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal, Role, StaffRole } from './role.js';

export const IS_PUBLIC = 'graminstore:public';
export const ROLES_KEY = 'graminstore:roles';
export const STAFF_KEY = 'graminstore:staff-roles';

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

/**
 * Which of a shop's staff roles may call this merchant route (the owner always may). Staff are denied
 * by default: a route without this decorator answers a staff member's token with 403. `@StaffMay()`
 * with no roles says so explicitly (owner only).
 */
export const StaffMay = (...roles: StaffRole[]) => SetMetadata(STAFF_KEY, roles);
/** A merchant route for the shop's owner only, said explicitly: every staff role gets 403. */
export const OwnerOnly = () => StaffMay();

/** The caller proven by the access token. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest<{ user: Principal }>().user,
);

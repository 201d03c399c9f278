import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';

/** The researcher behind a request, as the token guard found it. */
export interface AuthUser {
  id: string;
  name: string;
  admin: boolean;
}

export const PUBLIC_ROUTE = 'ferry:public-route';
/** The route does its own authentication (gateway signatures) or none; the token guard skips it. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export const TOKEN_IN_QUERY = 'ferry:token-in-query';
/**
 * The route also accepts the token as ?access_token=, because browsers' EventSource cannot set
 * headers. Only for the event stream; everywhere else a token in a URL would end up in logs.
 */
export const TokenInQuery = () => SetMetadata(TOKEN_IN_QUERY, true);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const req = ctx.switchToHttp().getRequest<Request & { user?: AuthUser }>();
  return req.user!;
});

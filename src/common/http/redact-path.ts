/** The legacy WebSocket paths carry the access token as their last segment (`/api/v1/ws/<feed>/<token>`). */
const TOKEN_IN_PATH = /^(\/api\/v\d+\/ws\/[^/?]+\/)[^/?]+/;

/** The path with a token segment replaced, for logs and error bodies: a token never leaves in either. */
export function redactPath(path: string): string {
  return path.replace(TOKEN_IN_PATH, '$1[redacted]');
}

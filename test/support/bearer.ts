/** The token of an `Authorization: Bearer …` header as an upstream received it. */
export function bearerOf(authorization: string | string[] | undefined): string {
  return String(authorization).replace(/^Bearer /, '');
}

/** The claims of the JWT access token in an `Authorization: Bearer …` header (read, not verified). */
export function bearerClaimsOf(authorization: string | string[] | undefined): Record<string, unknown> {
  const payload = bearerOf(authorization).split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
}

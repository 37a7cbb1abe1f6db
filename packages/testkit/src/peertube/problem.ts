import type { Response } from 'express';

/**
 * PeerTube's error answers (server/core/middlewares/error.ts, res.fail): RFC 7807 problem+json, as a real 6.3.3
 * sends them, e.g. {"type":"https://docs.joinpeertube.org/api-rest-reference.html#section/Errors/invalid_token",
 * "detail":"Token is invalid","status":401,"code":"invalid_token","error":"Token is invalid"}; without a type:
 * {"type":"about:blank","title":"Not Found","detail":...,"status":404,"error":...}.
 */
const TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };

export function fail(res: Response, options: { status: number; message: string; type?: string; docs?: string }): void {
  const body = options.type
    ? {
        type: `https://docs.joinpeertube.org/api-rest-reference.html#section/Errors/${options.type}`,
        detail: options.message,
        status: options.status,
        ...(options.docs
          ? { docs: `https://docs.joinpeertube.org/api-rest-reference.html#operation/${options.docs}` }
          : {}),
        code: options.type,
        error: options.message,
      }
    : {
        type: 'about:blank',
        title: TITLES[options.status] ?? 'Error',
        detail: options.message,
        status: options.status,
        error: options.message,
      };
  res.status(options.status).type('application/problem+json').send(JSON.stringify(body));
}

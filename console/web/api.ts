// The console's JSON API as the pages call it. Actions carry the console's own header and the
// admin token from the header field (kept for this tab only, in sessionStorage).

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function parse(response: Response): Promise<unknown> {
  const body = (await response.json()) as { error?: { code: string; message: string } };
  if (!response.ok || body.error !== undefined) {
    throw new ApiError(
      response.status,
      body.error?.code ?? 'E_HTTP',
      body.error?.message ?? response.statusText,
    );
  }
  return body;
}

export async function getJson<T>(view: string, query: Record<string, string> = {}): Promise<T> {
  const search = new URLSearchParams(query).toString();
  const response = await fetch(`/api/${view}${search === '' ? '' : `?${search}`}`);
  return (await parse(response)) as T;
}

const TOKEN_KEY = 'petrel-console-token';

export function token(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function setToken(value: string): void {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export async function postAction<T>(name: string, body: Record<string, unknown>): Promise<T> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-petrel-console': '1',
  };
  if (token() !== '') headers['x-petrel-console-token'] = token();
  const response = await fetch(`/api/actions/${name}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  return (await parse(response)) as T;
}

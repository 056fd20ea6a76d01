// The API client of the dashboard and the portal: same-origin fetches only, the key or portal token sent as
// "Authorization: Bearer", problems (RFC 9457) turned into ApiError with their safe "detail".

export class ApiError extends Error {
  constructor(status, problem) {
    const detail = problem && typeof problem === 'object' ? (problem.detail || problem.title) : null;
    super(detail || `The server answered ${status}.`);
    this.status = status;
    this.problem = problem && typeof problem === 'object' ? problem : null;
  }
}

export function createApi(getToken, onUnauthorized) {
  async function request(method, path, { body, accept, raw } = {}) {
    if (!path.startsWith('/')) throw new Error('same-origin paths only');
    const headers = { Authorization: `Bearer ${getToken()}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    headers.Accept = accept || 'application/json';
    let res;
    try {
      res = await fetch(path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer', redirect: 'error',
      });
    } catch (e) {
      throw new ApiError(0, { detail: 'The server could not be reached. Check the connection and try again.' });
    }
    if (!res.ok) {
      const type = res.headers.get('Content-Type') || '';
      const problem = type.includes('json') ? await res.json().catch(() => null) : null;
      const err = new ApiError(res.status, problem);
      if (res.status === 401 && onUnauthorized) onUnauthorized(err);
      throw err;
    }
    if (raw) return res;
    if (res.status === 204) return null;
    const type = res.headers.get('Content-Type') || '';
    return type.includes('json') ? res.json() : res.text();
  }

  return {
    request,
    get: (path, options) => request('GET', path, options),
    post: (path, body) => request('POST', path, { body: body === undefined ? {} : body }),
    put: (path, body) => request('PUT', path, { body }),
    del: (path) => request('DELETE', path),
    /** The answer, or null when the route does not exist here (404): for optional features. */
    async optional(path) {
      try {
        return await request('GET', path);
      } catch (e) {
        if (e instanceof ApiError && (e.status === 404 || e.status === 405)) return null;
        throw e;
      }
    },
  };
}

/** A query string from an object, skipping empty values; arrays repeat the key. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => u.append(k, x));
    else u.append(k, v);
  }
  const text = u.toString();
  return text ? `?${text}` : '';
}

export const enc = encodeURIComponent;

/* global fetch */

/** Calls the storefront API; never throws, so the page can always say what went wrong. */
export async function callApi(method, path, body, extraHeaders = {}) {
  try {
    const response = await fetch(path, {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extraHeaders },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let answer;
    try {
      answer = text ? JSON.parse(text) : undefined;
    } catch {
      answer = { message: text };
    }
    // The flow the request started (a checkout): every message it caused carries this correlation id.
    return { ok: response.ok, status: response.status, body: answer, correlationId: response.headers.get('x-correlation-id') ?? undefined };
  } catch (error) {
    return { ok: false, status: 0, body: { message: `The storefront cannot be reached (${error.message})` } };
  }
}

/** The lines to show for a failed call: the message, then each bad field. */
export function problemLines(result) {
  const body = result.body ?? {};
  const lines = [body.message ?? `Request failed (${result.status})`];
  for (const problem of body.errors ?? []) lines.push(problem.path ? `${problem.path}: ${problem.message}` : problem.message);
  return lines;
}

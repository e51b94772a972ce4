// Talking to the JSON API: every failure becomes an Error carrying the server's sentence.

const SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];

// Django's CSRF token, from the cookie the pages set: a request that changes state sends it
// back as X-CSRFToken, which a page on another origin cannot do (it cannot read our cookie).
export function csrfHeaders(method = "GET") {
  if (SAFE_METHODS.includes(method.toUpperCase())) return {};
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  return cookie ? { "X-CSRFToken": decodeURIComponent(cookie.slice("csrftoken=".length)) } : {};
}

export async function api(path, options = {}) {
  const response = await fetch(path, {
    credentials: "same-origin",
    ...options,
    headers: { "Content-Type": "application/json", ...csrfHeaders(options.method), ...options.headers },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.error || `The server answered ${response.status}.`);
    error.details = body.details || [];
    error.status = response.status;
    throw error;
  }
  return body;
}

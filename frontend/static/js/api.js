// Talking to the JSON API: every failure becomes an Error carrying the server's sentence.

export async function api(path, options = {}) {
  const response = await fetch(path, {
    headers: { "Content-Type": "application/json" },
    credentials: "same-origin",
    ...options,
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.error || `The server answered ${response.status}.`);
    error.details = body.details || [];
    throw error;
  }
  return body;
}

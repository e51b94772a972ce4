"""Identity without accounts: the browser that created a run owns it."""

import secrets


def owner_id(request) -> str:
    """This browser's owner id, kept in its session cookie (created on first use)."""
    if "owner" not in request.session:
        request.session["owner"] = secrets.token_urlsafe(16)
    return request.session["owner"]


def owns(request, run) -> bool:
    """The creating browser, or a script holding the token it got back, owns the run."""
    token = request.headers.get("X-Owner-Token", "")
    if token and secrets.compare_digest(token, run.owner_token):
        return True
    return secrets.compare_digest(request.session.get("owner", ""), run.owner)

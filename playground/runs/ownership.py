"""Identity without accounts: the browser that created a run owns it."""

import secrets

from django.conf import settings

from playground.ratelimit import limit_per_address


def owner_id(request) -> str:
    """This browser's owner id, kept in its session cookie (created on first use, at most
    NEW_IDENTITIES_PER_MINUTE a minute from one address: a script that drops its cookies
    cannot make itself many browsers, and their quotas)."""
    if "owner" not in request.session:
        limit_per_address(request, "identities", settings.NEW_IDENTITIES_PER_MINUTE, "new browsers")
        request.session["owner"] = secrets.token_urlsafe(16)
    return request.session["owner"]


def owns(request, run) -> bool:
    """The creating browser, or a script holding the token it got back, owns the run."""
    token = request.headers.get("X-Owner-Token", "")
    if token and secrets.compare_digest(token, run.owner_token):
        return True
    return secrets.compare_digest(request.session.get("owner", ""), run.owner)

"""A workshop looked up by its join code, with wrong codes limited per client address: a
code is six characters, so guessing must stay slow."""

from playground.ratelimit import limit_per_address, refuse_when_spent
from playground.workshops.models import Workshop

MISSES_PER_MINUTE = 20
LIMIT = ("workshop-code-miss", MISSES_PER_MINUTE, "wrong workshop codes")


def find(request, code: str) -> Workshop | None:
    """The workshop, or None; an ApiError 429 once this address has missed too often.

    1. An address over the limit gets the 429 for every code, right or wrong: otherwise a
       right guess would still stand out among the refusals.
    2. Only misses count, so a room behind one address can look its own code up freely.
    """
    refuse_when_spent(request, *LIMIT)
    workshop = Workshop.objects.filter(code=code.upper()).first()
    if workshop is None:
        limit_per_address(request, *LIMIT)
    return workshop

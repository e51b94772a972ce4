"""What every page may show of the workshop this browser joined."""

from playground.workshops.rules import participant_of


def joined_workshop(request) -> dict:
    """`participant`: whom this browser joined as, while their workshop is open (the build
    page's banner); nothing for other browsers."""
    participant = participant_of(request)
    if participant is None or participant.workshop.status != "open":
        return {}
    return {"participant": participant}

"""One numbered event log, for runs and workshop boards alike.

An owner row (a run, a workshop) keeps `last_seq`; each event is stored with the owner's
next seq (1, 2, 3 … no gaps), and only then announced on the channel layer. Watchers get
the stored events after the seq they have, then live ones; a notice that arrives out of
order sends them back to the store, which always holds every announced event.
"""

"""``python -m slotjson.bench``: slotjson against other JSON encoders, verified and timed.

``run(argv)`` is the whole program and returns the results as a dict, so
tests and notebooks can call it with small sizes::

    from slotjson.bench import run
    results = run(["--items", "200", "--repeat", "2", "--workload", "nested"])

Pass ``extra_competitors=[Competitor(...)]`` to compare another encoder; it
is verified against slotjson's output before it is timed, like the others.
"""

from .competitors import Competitor, Encoders
from .runner import run

__all__ = ["Competitor", "Encoders", "run"]

"""Entry point of ``python -m slotjson.bench``; see ``--help``."""

from . import run

if __name__ == "__main__":
    run()

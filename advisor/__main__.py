"""``python -m advisor`` and the ``advisor`` command: the process around ``advisor.cli``.

Two settings of the garbage collector, for the process only (tests call ``main`` and
keep Python's defaults):

* a command creates some 10^5 objects that live as long as the process (modules,
  classes, functions); at the default threshold (700 allocations) the collector walks
  them over and over for nothing. It runs every 50,000 allocations instead, which still
  frees cycles in a long-running server.
* at exit, the final collection would walk them once more. ``gc.freeze`` (the last exit
  handler) moves them out of its way: the other exit handlers, ``weakref.finalize`` and
  the flushing of stdout and stderr still run; only finalizers of objects alive at exit
  are skipped, which Python never promises to run anyway.
"""

import atexit
import gc


def run() -> None:
    gc.set_threshold(50_000, 10, 10)
    atexit.register(gc.freeze)  # registered first, so it runs last
    from advisor.cli import main

    main()


if __name__ == "__main__":
    run()

"""How imagegate's long commands live and stop: signals, child processes, and waits a person can see.

Standard library only, so every package (smoke, rollout, the local engine) may use it.

- ``lifecycle.interrupts``: SIGINT/SIGTERM become :class:`Interrupted` in the main thread plus a stop flag
  every wait checks; a watchdog bounds the time from the signal to the exit.
- ``lifecycle.children``: child processes in their own process group that die with their parent.
- ``lifecycle.waits``: a wait longer than 2 s is shown, with what is waited on, why and for how long.
"""

"""imagegate's command-line kit: the options every command shares, declared once, and their variables.

- ``clikit.options``: the shared click options as decorators (stack, ARM endpoint, CA bundle,
  subscription, auth, catalog, report files, smoke time budgets) and the one context-settings object.
- ``clikit.envvars``: one environment variable per option, and the old spellings that still work for a
  release with a warning (standard library only).

A bottom-layer package: it imports nothing of ours, and only the command modules (``*/cli.py``,
``*/cli_options.py``, ``emulator/commands.py``, ``engine/demo.py``) import ``clikit.options``. Errors are
not turned into exit codes here: ``imagegate.cli`` is the one place that does.
"""

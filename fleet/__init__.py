"""A fleet of stacks rolled out in waves: the plan (``fleet.plan``, pure, on the stack model), the local
runner (``fleet.runner``: the real rollout and smoke commands as child processes, against the emulator) and
the summary page (``fleet.summary``) that the workflow and the local run both write. It runs the
``imagegate`` commands; it imports no rollout or engine code. Nothing is imported here, so
``imagegate fleet --help`` loads only click.
"""

"""The ``imagegate`` command: one click group that wires the commands of each package.

Subcommands load lazily, so ``imagegate --help`` and each subcommand's ``--help`` import only click and
the one command module asked for (never Pulumi, azure-mgmt or azure-identity until a command runs).
"""

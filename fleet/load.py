"""Reading a fleet from disk: the fleet file and every ``Pulumi.<stack>.yaml`` beside it, each through the
stack config reader (never the raw YAML). Problems of every file are gathered into one
:class:`FleetInputError` by :func:`fleet.plan.build_plan`.
"""

from __future__ import annotations

from pathlib import Path

from catalog import CatalogError, load_catalog
from fleet.errors import FleetInputError
from fleet.fleet_file import read_fleet_file
from fleet.plan import FleetPlan, Target, build_plan, parse_target
from infra.config import ConfigError, StackConfig, load_stack_file, stack_name_of


def stack_files(folder: Path) -> dict[str, Path]:
    """Every stack config of a project folder, by stack name."""
    found = {}
    for path in sorted([*folder.glob("Pulumi.*.yaml"), *folder.glob("Pulumi.*.yml")]):
        name = stack_name_of(path)
        if name is not None and path.is_file():
            found[name] = path
    return found


def load_plan(fleet_path: Path, to: str | None, catalog: str | Path | None = None) -> FleetPlan:
    """The fleet plan of ``fleet_path`` and the stacks in its folder; raises :class:`FleetInputError`."""
    problems: list[str] = []
    target: Target | None = None
    if to is not None:
        try:
            target = parse_target(to)
        except FleetInputError as exc:
            problems.extend(exc.problems)
    fleet = read_fleet_file(fleet_path)
    try:
        models = load_catalog(catalog)
    except CatalogError as exc:
        raise FleetInputError([str(exc)]) from None
    configs: dict[str, StackConfig] = {}
    invalid: list[str] = []
    for name, path in stack_files(fleet_path.parent).items():
        try:
            configs[name] = load_stack_file(path, name, catalog=models)
        except ConfigError as exc:
            invalid.append(name)
            problems.extend(_in_file(path, p) for p in exc.problems)
    return build_plan(fleet, configs, target, invalid=invalid, problems=problems)


def _in_file(path: Path, problem: str) -> str:
    return problem if problem.startswith(str(path)) else f"{path.name}: {problem}"

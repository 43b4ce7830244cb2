"""Readers for ``deployments[]`` and ``candidate``: names, and model / version / SKU / region / capacity
checked against the model catalog."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, cast, get_args

from catalog import Catalog
from infra.config_reader import MISSING, Reader, join

MAX_DEPLOYMENT_NAME = 64
DEPLOYMENT_NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{1,63}"
DEPLOYMENT_NAME_RULE = "2-64 letters, digits, '_', '.' or '-', starting with a letter or digit"
VersionUpgradeOption = Literal["OnceNewDefaultVersionAvailable", "OnceCurrentVersionExpired", "NoAutoUpgrade"]
Role = Literal["stable", "candidate"]
UPGRADE_OPTIONS: tuple[str, ...] = get_args(VersionUpgradeOption)
CANDIDATE_SUFFIX = "-candidate"
MAX_CAPACITY = 1000
RETIREMENT_WARNING_DAYS = 90


def candidate_name(deployment: str) -> str:
    """The name a rollout candidate of ``deployment`` is deployed under: the one place that spells it."""
    return f"{deployment}{CANDIDATE_SUFFIX}"


@dataclass(frozen=True)
class DeploymentConfig:
    name: str
    model: str
    version: str
    sku: str
    capacity: int
    version_upgrade_option: VersionUpgradeOption
    role: Role = "stable"


@dataclass(frozen=True)
class CandidateConfig:
    """A rollout candidate: deployed next to ``deployment`` as ``<deployment>-candidate``."""

    deployment: str
    model: str
    version: str
    sku: str
    capacity: int

    @property
    def name(self) -> str:
        return candidate_name(self.deployment)

    def as_deployment(self) -> DeploymentConfig:
        # A candidate is an experiment on one exact version: it never upgrades under the rollout's feet.
        return DeploymentConfig(
            self.name, self.model, self.version, self.sku, self.capacity, "NoAutoUpgrade", role="candidate"
        )


@dataclass(frozen=True)
class _ModelChoice:
    model: str
    version: str
    sku: str
    capacity: int


def read_deployments(
    r: Reader, value: Any, location: str, catalog: Catalog, today: date, warnings: list[str]
) -> list[DeploymentConfig]:
    entries = r.items("deployments", value, required=True, what="deployments")
    deployments: list[DeploymentConfig] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        path = f"deployments[{i}]"
        raw = r.section(
            path,
            entry,
            ("name", "model", "version", "sku", "capacity", "versionUpgradeOption"),
            required=True,
        )
        name = r.string(
            f"{path}.name",
            raw.get("name", MISSING),
            pattern=DEPLOYMENT_NAME_PATTERN,
            accepted=DEPLOYMENT_NAME_RULE,
        )
        if name.endswith(CANDIDATE_SUFFIX):
            r.fail(
                f"{path}.name",
                name,
                f"ends with '{CANDIDATE_SUFFIX}', which is kept for rollout candidates",
                f"{DEPLOYMENT_NAME_RULE}, not ending in '{CANDIDATE_SUFFIX}'",
            )
        elif name and name.lower() in seen:
            r.fail(f"{path}.name", name, "is used by another deployment", "a name unique within the account")
        seen.add(name.lower())
        choice = _read_model_choice(r, path, raw, location, catalog, today, warnings, defaults=None)
        deployments.append(
            DeploymentConfig(
                name=name,
                model=choice.model,
                version=choice.version,
                sku=choice.sku,
                capacity=choice.capacity,
                version_upgrade_option=cast(
                    VersionUpgradeOption,
                    r.string(
                        f"{path}.versionUpgradeOption",
                        raw.get("versionUpgradeOption", MISSING),
                        default="OnceNewDefaultVersionAvailable",
                        choices=UPGRADE_OPTIONS,
                    ),
                ),
            )
        )
    return deployments


def read_candidate(
    r: Reader,
    value: Any,
    deployments: list[DeploymentConfig],
    location: str,
    catalog: Catalog,
    today: date,
    warnings: list[str],
) -> CandidateConfig | None:
    if value is MISSING or value is None:
        return None
    raw = r.section("candidate", value, ("deployment", "model", "version", "sku", "capacity"))
    if not raw:
        return None
    names = [d.name for d in deployments]
    target = r.string(
        "candidate.deployment",
        raw.get("deployment", MISSING),
        choices=names,
        choice_issue="is not the name of a deployment in imagegate:deployments",
    )
    base = next((d for d in deployments if d.name == target), None)
    if base is None:
        return None
    choice = _read_model_choice(r, "candidate", raw, location, catalog, today, warnings, defaults=base)
    candidate = CandidateConfig(target, choice.model, choice.version, choice.sku, choice.capacity)
    if len(candidate.name) > MAX_DEPLOYMENT_NAME:
        r.fail(
            "candidate.deployment",
            target,
            f"gives the candidate name '{candidate.name}', longer than {MAX_DEPLOYMENT_NAME} characters",
            f"a deployment whose name has at most {MAX_DEPLOYMENT_NAME - len(CANDIDATE_SUFFIX)} characters",
        )
    if (base.model, base.version) == (candidate.model, candidate.version):
        warnings.append(
            f"imagegate:candidate deploys {candidate.model}@{candidate.version}, the version "
            f"'{base.name}' already runs; the rollout will compare a version with itself."
        )
    return candidate


def _read_model_choice(
    r: Reader,
    path: str,
    raw: dict[str, Any],
    location: str,
    catalog: Catalog,
    today: date,
    warnings: list[str],
    defaults: DeploymentConfig | None,
) -> _ModelChoice:
    usable = [m.name for m in catalog.models.values() if not m.retired and m.skus]
    model_name = r.string(
        f"{path}.model",
        raw.get("model", MISSING),
        default=defaults.model if defaults else None,
        accepted=join(usable),
    )
    capacity = r.integer(
        f"{path}.capacity",
        raw.get("capacity", MISSING),
        defaults.capacity if defaults else None,
        low=1,
        high=MAX_CAPACITY,
    )
    raw_version = raw.get("version", MISSING)
    raw_sku = raw.get("sku", MISSING)
    model = catalog.model(model_name) if model_name else None
    if model_name and model is None:
        r.fail(f"{path}.model", model_name, "is not a known model", join(usable))
        return _ModelChoice(model_name, str(raw_version), str(raw_sku), capacity)
    if model is None:
        return _ModelChoice(model_name, str(raw_version), str(raw_sku), capacity)
    if model.retired or not model.skus:
        r.fail(f"{path}.model", model_name, "is retired and can no longer be deployed", join(usable))
        return _ModelChoice(model_name, str(raw_version), str(raw_sku), capacity)

    live_versions = [v for v in model.versions if not catalog.is_retired(model.name, v, today)]
    live_accepted = join(live_versions) if live_versions else _live_elsewhere(catalog, today)
    # A candidate exists to try one exact version, so it must say which.
    version_default = None if defaults is not None else model.default_version
    version = r.string(
        f"{path}.version",
        raw_version,
        default=version_default,
        accepted=f"a version of {model.name}: {join(live_versions)}",
    )
    if version and not catalog.is_version_known(model.name, version):
        r.fail(f"{path}.version", version, f"is not a known version of {model.name}", live_accepted)
    elif version and catalog.is_retired(model.name, version, today):
        retired_on = catalog.retirement_date(model.name, version)
        r.fail(f"{path}.version", version, f"of {model.name} retired on {retired_on}", live_accepted)
    elif version:
        retires = catalog.retiring_within(model.name, version, RETIREMENT_WARNING_DAYS, today)
        if retires is not None:
            warnings.append(
                f"{r.key(path)}.version: {model.name} {version} retires on {retires} "
                f"({(retires - today).days} days); plan a rollout to a newer version."
            )

    sku = r.string(
        f"{path}.sku", raw_sku, default=defaults.sku if defaults else "GlobalStandard", choices=model.skus
    )
    if sku in model.skus and location and location not in model.skus[sku].regions:
        here = catalog.skus_in_region(model.name, location)
        accepted = f"{join(here)} in {location}" if here else f"no SKU of {model.name} in {location}"
        r.fail(
            f"{path}.sku",
            sku,
            f"is not offered for {model.name} in {location}",
            f"{accepted}; {sku} is offered in {join(model.skus[sku].regions)}",
        )
    return _ModelChoice(model.name, version, sku, capacity)


def _live_elsewhere(catalog: Catalog, today: date) -> str:
    """What to deploy instead when every version of a model has retired."""
    live = [
        f"{m.name} {v}"
        for m in catalog.models.values()
        if not m.retired and m.skus
        for v in m.versions
        if not catalog.is_retired(m.name, v, today)
    ]
    return f"a live version of another model: {join(live)}" if live else "no live image model in the catalog"


def quota_warnings(deployments: list[DeploymentConfig], location: str, catalog: Catalog) -> list[str]:
    """Deployments of one model and SKU share a regional quota; warn when they ask for more than it."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for d in deployments:
        totals[(d.model, d.sku)] += d.capacity
    warnings = []
    for (model, sku), total in totals.items():
        quota = catalog.default_quota(model, sku)
        if quota and total > quota:
            warnings.append(
                f"deployments of {model} ({sku}) ask for capacity {total} in {location}, above the "
                f"default quota of {quota}; check `usages` or request more quota before `pulumi up`."
            )
    return warnings

"""How the emulator reads an ARM request path (emulator/arm/ids.py), in process and table by table.

Every shape the grammar knows is here with the whole value it parses to: a resource (scope, provider
groups, type/name pairs), a collection (a last odd segment, GET) and an action (the same, POST), at
subscription level, in a resource group, under a provider and as an extension of another resource. The
ids, types and dispatch signatures derived from each, and a path's parent and child, follow; then the
paths that are not ARM's, with the sentence for each.
"""

from __future__ import annotations

import pytest

from emulator.arm.ids import ArmPath, ArmPathError, Segment, parse_arm_path
from tests.plain_ids import plain

CS = "Microsoft.CognitiveServices"
INS = "Microsoft.Insights"
RG = "/subscriptions/s1/resourceGroups/rg"
ACCOUNT = f"{RG}/providers/{CS}/accounts/a"


def cs(type_: str, name: str) -> Segment:
    return Segment(CS, type_, name)


PARSED = [
    # The scopes themselves.
    ("/subscriptions/s1", ArmPath("s1")),
    ("/SUBSCRIPTIONS/s1", ArmPath("s1")),
    (RG, ArmPath("s1", "rg")),
    ("/subscriptions/s1/RESOURCEGROUPS/Rg", ArmPath("s1", "Rg")),
    # Subscription-level collections and actions: the resource-group list keeps ARM's spelling.
    ("/subscriptions/s1/resourceGroups", ArmPath("s1", None, (), "resourceGroups")),
    ("/subscriptions/s1/resourcegroups", ArmPath("s1", None, (), "resourceGroups")),
    ("/subscriptions/s1/locations", ArmPath("s1", None, (), "locations")),
    ("/subscriptions/s1/providers", ArmPath("s1", None, (), "providers")),
    (f"/subscriptions/s1/providers/{CS}", ArmPath("s1", None, (), None)),
    (f"/subscriptions/s1/providers/{CS}/accounts", ArmPath("s1", None, (), f"{CS}/accounts")),
    (
        f"/subscriptions/s1/providers/{CS}/checkDomainAvailability",
        ArmPath("s1", None, (), f"{CS}/checkDomainAvailability"),
    ),
    (
        f"/subscriptions/s1/providers/{CS}/locations/eastus2/usages",
        ArmPath("s1", None, (cs("locations", "eastus2"),), "usages"),
    ),
    (
        f"/subscriptions/s1/providers/{CS}/locations/eastus2/resourceGroups/rg/deletedAccounts/a",
        ArmPath(
            "s1", None, (cs("locations", "eastus2"), cs("resourceGroups", "rg"), cs("deletedAccounts", "a"))
        ),
    ),
    # Resource-group level.
    (f"{RG}/resources", ArmPath("s1", "rg", (), "resources")),
    (f"{RG}/providers/{CS}/accounts", ArmPath("s1", "rg", (), f"{CS}/accounts")),
    (ACCOUNT, ArmPath("s1", "rg", (cs("accounts", "a"),))),
    (f"{ACCOUNT}/listKeys", ArmPath("s1", "rg", (cs("accounts", "a"),), "listKeys")),
    (f"{ACCOUNT}/deployments", ArmPath("s1", "rg", (cs("accounts", "a"),), "deployments")),
    (f"{ACCOUNT}/deployments/d", ArmPath("s1", "rg", (cs("accounts", "a"), cs("deployments", "d")))),
    # An extension resource: a second provider group.
    (
        f"{ACCOUNT}/providers/{INS}/diagnosticSettings",
        ArmPath("s1", "rg", (cs("accounts", "a"),), f"{INS}/diagnosticSettings"),
    ),
    (
        f"{ACCOUNT}/providers/{INS}/diagnosticSettings/x",
        ArmPath("s1", "rg", (cs("accounts", "a"), Segment(INS, "diagnosticSettings", "x"))),
    ),
    # Empty segments are dropped: a doubled, leading or trailing slash reads as one.
    (
        f"//subscriptions//s1/resourceGroups/rg//providers/{CS}//accounts/a//listKeys//",
        ArmPath("s1", "rg", (cs("accounts", "a"),), "listKeys"),
    ),
]


@pytest.mark.parametrize(("path", "expected"), PARSED, ids=plain)
def test_a_path_parses_to_its_scope_segments_and_tail(path: str, expected: ArmPath) -> None:
    assert parse_arm_path(path) == expected


BACK_AGAIN = [
    "/subscriptions/s1",
    RG,
    ACCOUNT,
    f"{ACCOUNT}/deployments/d",
    f"{ACCOUNT}/providers/{INS}/diagnosticSettings/x",
    # Back to the first namespace after an extension: each change of namespace is written out again.
    f"{ACCOUNT}/providers/{INS}/diagnosticSettings/x/providers/{CS}/raiPolicies/p",
]


@pytest.mark.parametrize("path", BACK_AGAIN, ids=plain)
def test_a_resource_id_is_written_back_as_it_was_read(path: str) -> None:
    parsed = parse_arm_path(path)
    assert parsed.id == path
    assert parsed.key == path.lower()


DERIVED = [
    # path, scope id, ARM type, dispatch signature
    ("/subscriptions/s1", "/subscriptions/s1", "Microsoft.Resources/subscriptions", ""),
    (RG, RG, "Microsoft.Resources/resourceGroups", ""),
    (
        "/subscriptions/s1/resourceGroups",
        "/subscriptions/s1",
        "Microsoft.Resources/subscriptions",
        "#resourcegroups",
    ),
    (f"{ACCOUNT}/listKeys", RG, f"{CS}/accounts", "microsoft.cognitiveservices/accounts#listkeys"),
    (
        f"{ACCOUNT}/deployments/d",
        RG,
        f"{CS}/accounts/deployments",
        "microsoft.cognitiveservices/accounts/deployments",
    ),
    (
        f"{ACCOUNT}/providers/{INS}/diagnosticSettings/x",
        RG,
        f"{INS}/diagnosticSettings",
        "microsoft.cognitiveservices/accounts/microsoft.insights/diagnosticsettings",
    ),
    (
        f"{ACCOUNT}/providers/{INS}/diagnosticSettings/x/providers/{CS}/raiPolicies/p",
        RG,
        f"{CS}/raiPolicies",
        "microsoft.cognitiveservices/accounts/microsoft.insights/diagnosticsettings/"
        "microsoft.cognitiveservices/raipolicies",
    ),
    (
        f"/subscriptions/s1/providers/{CS}/locations/eastus2/resourceGroups/rg/deletedAccounts/a",
        "/subscriptions/s1",
        f"{CS}/locations/resourceGroups/deletedAccounts",
        "microsoft.cognitiveservices/locations/resourcegroups/deletedaccounts",
    ),
]


@pytest.mark.parametrize(("path", "scope_id", "resource_type", "signature"), DERIVED, ids=plain)
def test_scope_type_and_signature(path: str, scope_id: str, resource_type: str, signature: str) -> None:
    parsed = parse_arm_path(path)
    assert (parsed.scope_id, parsed.resource_type, parsed.signature) == (scope_id, resource_type, signature)


def test_names_are_read_from_the_end_or_by_position() -> None:
    parsed = parse_arm_path(f"{ACCOUNT}/deployments/d")
    assert (parsed.name(), parsed.name(0), parsed.name(1)) == ("d", "a", "d")


FAMILY = [
    # child of, type, name, the path it is
    (ACCOUNT, "deployments", "d", f"{ACCOUNT}/deployments/d"),
    (f"{ACCOUNT}/deployments/d", "versions", "v", f"{ACCOUNT}/deployments/d/versions/v"),
    # A child takes the namespace of the last segment, the extension's here.
    (
        f"{ACCOUNT}/providers/{INS}/diagnosticSettings/x",
        "rules",
        "r",
        f"{ACCOUNT}/providers/{INS}/diagnosticSettings/x/rules/r",
    ),
]


@pytest.mark.parametrize(("parent", "type_", "name", "child"), FAMILY, ids=plain)
def test_a_child_and_its_parent(parent: str, type_: str, name: str, child: str) -> None:
    assert parse_arm_path(parent).child(type_, name) == parse_arm_path(child)
    assert parse_arm_path(child).parent() == parse_arm_path(parent)


def test_the_parent_of_an_action_is_the_resource_above_it_without_the_action() -> None:
    assert parse_arm_path(f"{ACCOUNT}/deployments/d/listKeys").parent() == parse_arm_path(ACCOUNT)
    assert parse_arm_path(ACCOUNT).parent() == ArmPath("s1", "rg")


REFUSED = [
    ("/", "'/' is not under /subscriptions/{subscriptionId}."),
    ("/subscriptions", "'/subscriptions' is not under /subscriptions/{subscriptionId}."),
    ("/subscriptions/", "'/subscriptions/' is not under /subscriptions/{subscriptionId}."),
    ("/tenants/t/providers", "'/tenants/t/providers' is not under /subscriptions/{subscriptionId}."),
    (f"{RG}/accounts/a", f"'{RG}/accounts/a' names a resource type outside a /providers/ namespace."),
    (
        "/subscriptions/s1/locations/eastus2",
        "'/subscriptions/s1/locations/eastus2' names a resource type outside a /providers/ namespace.",
    ),
]


@pytest.mark.parametrize(("path", "sentence"), REFUSED, ids=plain)
def test_paths_that_are_not_arm_paths_are_refused_with_a_sentence(path: str, sentence: str) -> None:
    with pytest.raises(ArmPathError) as refused:
        parse_arm_path(path)
    assert str(refused.value) == sentence

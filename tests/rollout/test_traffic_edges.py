"""rollout.traffic at its edges: the bounds of a step, the largest-remainder split, a 0% step, two
candidates in one region, and the quota sentences for a region with no free quota given."""

from __future__ import annotations

import pytest

from rollout.errors import UsageError
from rollout.traffic import PoolMember, parse_weights, pool_weights, quota_plan

SHAPE = "give whole percentages separated by commas, rising, ending at 100 (e.g. 10,50,100)"
EAST = PoolMember("eastus2", "gpt-image", "stable")
EAST_C = PoolMember("eastus2", "gpt-image-v2", "candidate")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10,101", f"--weights step 101 is outside 1 to 100; {SHAPE}."),
        ("50", f"--weights ends at 50, not 100; {SHAPE}."),
        ("10,20,50", f"--weights ends at 50, not 100; {SHAPE}."),
    ],
)
def test_more_schedules_refused(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_weights(text)
    assert str(caught.value) == message


def weights(members: list[PoolMember], percent: int) -> list[tuple[str, int]]:
    return [(w.member.label, w.weight) for w in pool_weights(members, percent)]


@pytest.mark.parametrize(
    ("stable", "percent", "expected"),
    [
        # a member of weight 0 (or below) gets nothing while its side has weight elsewhere
        ([("a", 0), ("b", 1)], 50, [50, 0, 50]),
        ([("a", -3), ("b", 1)], 50, [50, 0, 50]),
        # every weight 0: an even split
        ([("a", 0), ("b", 0)], 50, [50, 25, 25]),
        # 90 shared 1:2 is 30 and 60; 10 shared 1:2 is 3.33 and 6.67: the larger remainder gets the point
        ([("a", 1), ("b", 2)], 90, [90, 3, 7]),
        ([("a", 2), ("b", 1)], 90, [90, 7, 3]),
        # equal remainders: the first member in pool order
        ([("a", 1), ("b", 1), ("c", 1)], 90, [90, 4, 3, 3]),
    ],
)
def test_a_side_is_split_by_weight_with_the_largest_remainders_rounded_up(
    stable: list[tuple[str, int]], percent: int, expected: list[int]
) -> None:
    members = [EAST_C, *(PoolMember(region, "gpt-image", "stable", weight) for region, weight in stable)]
    assert [w for _, w in weights(members, percent)] == expected


def test_a_zero_percent_step_leaves_every_request_to_the_stable_members() -> None:
    assert weights([EAST, EAST_C], 0) == [("eastus2/gpt-image", 100), ("eastus2/gpt-image-v2", 0)]
    with pytest.raises(ValueError, match="^candidate_percent -1 is outside 0 to 100$"):
        pool_weights([EAST, EAST_C], -1)


def test_two_candidates_in_one_region_add_up() -> None:
    second = PoolMember("eastus2", "gpt-image-v2b", "candidate")
    plan = quota_plan(parse_weights("100"), [EAST, EAST_C, second], load_rpm=30, rpm_per_unit=10)
    assert [(r.region, r.rpm, r.capacity) for r in plan.steps[0].regions] == [("eastus2", 30.0, 4)]
    assert dict(plan.peak) == {"eastus2": 4}


@pytest.mark.parametrize(
    ("load_rpm", "rpm_per_unit", "rpm", "capacity"),
    [
        (12.0, 10.0, 12.0, 2),  # 1.2 units: two
        (10.0 / 3, 1.0, 3.333, 4),  # the rate is given to three decimals
        (100.00000004, 100.0, 100.0, 1),  # a billionth of a unit over a whole number is float noise
        (100.0000004, 100.0, 100.0, 2),  # a ten-millionth is not
    ],
)
def test_a_region_needs_its_rate_in_whole_units_rounded_up(
    load_rpm: float, rpm_per_unit: float, rpm: float, capacity: int
) -> None:
    plan = quota_plan(parse_weights("100"), [EAST, EAST_C], load_rpm=load_rpm, rpm_per_unit=rpm_per_unit)
    assert [(r.region, r.rpm, r.capacity) for r in plan.steps[0].regions] == [("eastus2", rpm, capacity)]


@pytest.mark.parametrize(("load_rpm", "rpm_per_unit"), [(-1, 10), (10, 0), (10, -1)])
def test_a_negative_load_or_a_rate_per_unit_of_zero_is_a_programming_error(
    load_rpm: float, rpm_per_unit: float
) -> None:
    with pytest.raises(ValueError, match="^load_rpm must be at least 0 and rpm_per_unit above 0$"):
        quota_plan(parse_weights("100"), [EAST, EAST_C], load_rpm=load_rpm, rpm_per_unit=rpm_per_unit)


def test_a_region_missing_from_the_free_quota_has_none_free() -> None:
    plan = quota_plan(parse_weights("50,100"), [EAST, EAST_C], load_rpm=20, rpm_per_unit=10)
    assert plan.shortfalls({}) == (
        "eastus2 needs 2 capacity units for the candidate at its peak step but has 0 free; ask for 2 more, "
        "or plan for less load.",
    )


def test_the_peak_is_the_most_any_step_needs_not_the_last_steps_need() -> None:
    # Largest-remainder rounding can give a member less at 100% than at 99%: 99 shared 2:7:7 gives the
    # first 12.375 -> 13 (largest remainder), 100 gives it 12.5 -> 12 (the other two take the points).
    members = [
        PoolMember("stable", "gpt-image", "stable"),
        PoolMember("a", "c1", "candidate", 2),
        PoolMember("b", "c2", "candidate", 7),
        PoolMember("b", "c3", "candidate", 7),
    ]
    plan = quota_plan(parse_weights("99,100"), members, load_rpm=100, rpm_per_unit=1)
    assert [[(r.region, r.capacity) for r in s.regions] for s in plan.steps] == [
        [("a", 13), ("b", 86)],
        [("a", 12), ("b", 88)],
    ]
    assert dict(plan.peak) == {"a": 13, "b": 88}

"""rollout.traffic: the weight schedule, pool weights per step and candidate quota per region (tables)."""

from __future__ import annotations

import pytest

from rollout.errors import UsageError
from rollout.traffic import PoolMember, WeightSchedule, parse_weights, pool_weights, quota_plan

SHAPE = "give whole percentages separated by commas, rising, ending at 100 (e.g. 10,50,100)"


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("10,50,100", (10, 50, 100)),
        ("100", (100,)),
        (" 1, 2 ,100", (1, 2, 100)),
        ("5,10,20,30,40,50,60,70,80,100", (5, 10, 20, 30, 40, 50, 60, 70, 80, 100)),
    ],
)
def test_schedules_that_parse(text, steps):
    schedule = parse_weights(text)
    assert schedule == WeightSchedule(steps)
    assert str(schedule) == ",".join(map(str, steps))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", f"--weights '' has an empty step; {SHAPE}."),
        ("10,,100", f"--weights '10,,100' has an empty step; {SHAPE}."),
        ("10,half,100", f"--weights step 'half' is not a whole percentage; {SHAPE}."),
        ("10.5,100", f"--weights step '10.5' is not a whole percentage; {SHAPE}."),
        ("-5,100", f"--weights step '-5' is not a whole percentage; {SHAPE}."),
        ("0,100", f"--weights step 0 is outside 1 to 100; {SHAPE}."),
        ("10,150", f"--weights step 150 is outside 1 to 100; {SHAPE}."),
        ("50,10,100", f"--weights step 10 does not rise above 50; {SHAPE}."),
        ("50,50,100", f"--weights step 50 does not rise above 50; {SHAPE}."),
        ("10,50", f"--weights ends at 50, not 100; {SHAPE}."),
        ("1,2,3,4,5,6,7,8,9,10,100", f"--weights has 11 steps, more than 10; {SHAPE}."),
    ],
)
def test_schedules_refused_with_one_sentence(text, message):
    with pytest.raises(UsageError) as caught:
        parse_weights(text)
    assert str(caught.value) == message


EAST = PoolMember("eastus2", "gpt-image", "stable")
WEST = PoolMember("westus3", "gpt-image", "stable")
SWE = PoolMember("swedencentral", "gpt-image", "stable", weight=2)
EAST_C = PoolMember("eastus2", "gpt-image-v2", "candidate")
WEST_C = PoolMember("westus3", "gpt-image-v2", "candidate")


def weights(members, percent):
    return [(w.member.label, w.weight) for w in pool_weights(members, percent)]


@pytest.mark.parametrize(
    ("members", "percent", "expected"),
    [
        ([EAST, EAST_C], 10, [("eastus2/gpt-image", 90), ("eastus2/gpt-image-v2", 10)]),
        ([EAST, EAST_C], 100, [("eastus2/gpt-image", 0), ("eastus2/gpt-image-v2", 100)]),
        # Stable sides keep their proportions (1:1:2); remainders go to the largest fractions first.
        (
            [EAST, WEST, SWE, EAST_C, WEST_C],
            10,
            [
                ("eastus2/gpt-image", 23),
                ("westus3/gpt-image", 22),
                ("swedencentral/gpt-image", 45),
                ("eastus2/gpt-image-v2", 5),
                ("westus3/gpt-image-v2", 5),
            ],
        ),
        (
            [EAST, WEST, EAST_C, WEST_C],
            1,
            [
                ("eastus2/gpt-image", 50),
                ("westus3/gpt-image", 49),
                ("eastus2/gpt-image-v2", 1),
                ("westus3/gpt-image-v2", 0),
            ],
        ),
        ([EAST_C], 100, [("eastus2/gpt-image-v2", 100)]),
        (
            [
                EAST,
                PoolMember("eastus2", "c", "candidate", weight=0),
                PoolMember("westus3", "c", "candidate", weight=0),
            ],
            50,
            [("eastus2/gpt-image", 50), ("eastus2/c", 25), ("westus3/c", 25)],
        ),
    ],
)
def test_pool_weights_sum_to_100_in_proportion(members, percent, expected):
    got = weights(members, percent)
    assert got == expected
    assert sum(w for _, w in got) == 100


def test_a_pool_without_candidates_or_stable_members_is_refused():
    with pytest.raises(UsageError) as caught:
        pool_weights([EAST], 10)
    assert (
        str(caught.value)
        == "The pool has no candidate member; add the candidate deployments before shifting."
    )
    with pytest.raises(UsageError) as caught:
        pool_weights([EAST_C], 50)
    assert str(caught.value) == "The pool has no stable member to carry the rest of the traffic."
    with pytest.raises(ValueError, match="candidate_percent 101 is outside 0 to 100"):
        pool_weights([EAST, EAST_C], 101)


def test_quota_per_region_at_each_step_and_its_peak():
    plan = quota_plan(parse_weights("10,50,100"), [EAST, WEST, EAST_C, WEST_C], load_rpm=36, rpm_per_unit=1)
    assert [(s.percent, [(r.region, r.rpm, r.capacity) for r in s.regions]) for s in plan.steps] == [
        (10, [("eastus2", 1.8, 2), ("westus3", 1.8, 2)]),
        (50, [("eastus2", 9.0, 9), ("westus3", 9.0, 9)]),
        (100, [("eastus2", 18.0, 18), ("westus3", 18.0, 18)]),
    ]
    assert dict(plan.peak) == {"eastus2": 18, "westus3": 18}
    assert plan.shortfalls({"eastus2": 18, "westus3": 10}) == (
        "westus3 needs 18 capacity units for the candidate at its peak step but has 10 free; ask for 8 more, "
        "or plan for less load.",
    )
    assert plan.shortfalls({"eastus2": 40, "westus3": 40}) == ()


def test_a_candidate_deployment_needs_at_least_one_unit_even_without_load():
    plan = quota_plan(parse_weights("100"), [EAST, EAST_C], load_rpm=0, rpm_per_unit=9)
    assert [(r.region, r.rpm, r.capacity) for r in plan.steps[0].regions] == [("eastus2", 0.0, 1)]
    # 9 requests a minute at 9 per unit is exactly one unit, not two (no float rounding up).
    exact = quota_plan(parse_weights("100"), [EAST, EAST_C], load_rpm=9, rpm_per_unit=9)
    assert exact.steps[0].regions[0].capacity == 1
    with pytest.raises(ValueError, match="rpm_per_unit above 0"):
        quota_plan(parse_weights("100"), [EAST, EAST_C], load_rpm=9, rpm_per_unit=0)

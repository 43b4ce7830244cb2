"""Hostile suite files: whatever YAML a file holds, loading it gives a Suite or a SuiteError listing
problems in sentences - never another exception, never a traceback for the user."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smoke.suite import Suite, SuiteError, parse_suite

KEYS = ["version", "name", "keyless", "defaults", "cases", "id", "route", "prompt", "params", "image",
        "images", "mask", "expect", "outcome", "size", "quality", "n", "output_format", "count",
        "max_outside_mask_change", "max_latency_seconds", "background", "output_compression"]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 20),
    st.floats(allow_nan=True),
    st.sampled_from(
        [
            "generate",
            "edit",
            "png",
            "jpeg",
            "1024x1024",
            "auto",
            "low",
            "content_filter",
            "../../etc/passwd",
            "mask.png",
            "",
            "x" * 40000,
        ]
    ),  # fmt: skip
    st.text(max_size=20),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=5),
    ),
    max_leaves=25,
)
documents = st.one_of(
    values,
    st.fixed_dictionaries({"cases": st.lists(st.dictionaries(st.sampled_from(KEYS), values, max_size=8))}),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents)
def test_any_document_is_a_suite_or_a_list_of_problems(doc: object) -> None:
    base = Path(__file__).parent  # relative paths resolve next to this file; none of them exist
    try:
        suite = parse_suite(doc, base, "fuzz.yaml")
    except SuiteError as exc:
        assert exc.problems and all(p.endswith(".") and "\n" not in p for p in exc.problems)
    else:
        assert isinstance(suite, Suite) and suite.cases

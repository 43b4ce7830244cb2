"""The schema half of scripts/check-workflows: each file against one of check-jsonschema's vendored schemas.

check-jsonschema's own command (its ``main``, as its console script runs it) is called once per file, in
this one process, so a run starts one interpreter instead of one per file. Prints, per file,
``PASS schema SCHEMA: FILE`` or ``FAIL schema SCHEMA: FILE`` followed by the tool's output, indented.
Exit 0 when every file passed, 1 otherwise.

    python scripts/check_schemas.py SCHEMA:FILE [SCHEMA:FILE ...]
"""

from __future__ import annotations

import contextlib
import io
import sys

from check_jsonschema import main as check_jsonschema


def check(schema: str, path: str) -> bool:
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            code = check_jsonschema.main(
                args=["--builtin-schema", schema, "--color", "never", path], standalone_mode=False
            )
        except SystemExit as exc:
            code = exc.code
    passed = code == 0
    print(f"{'PASS' if passed else 'FAIL'} schema {schema}: {path}")
    if not passed:
        for line in output.getvalue().splitlines():
            print(f"    {line}")
    return passed


def main(pairs: list[str]) -> int:
    results = [check(*pair.split(":", 1)) for pair in pairs]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

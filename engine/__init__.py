"""The local engine: evaluate the real ``infra`` program under Pulumi's mock runtime and apply it to the
emulator's ARM API (``imagegate local up|preview|destroy``). A local emulation of ``pulumi``, not its engine.

Names load lazily, so ``imagegate local --help`` does not import Pulumi.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "ArmClient": "engine.arm_client",
    "ArmError": "engine.errors",
    "Change": "engine.applier",
    "EngineError": "engine.errors",
    "EngineUsageError": "engine.errors",
    "Identity": "engine.identity",
    "UnsupportedResource": "engine.errors",
    "UpResult": "engine.runner",
    "default_outputs_path": "engine.runner",
    "run_destroy": "engine.runner",
    "run_up": "engine.runner",
    "write_outputs": "engine.runner",
}
__all__ = [
    "ArmClient",
    "ArmError",
    "Change",
    "EngineError",
    "EngineUsageError",
    "Identity",
    "UnsupportedResource",
    "UpResult",
    "default_outputs_path",
    "run_destroy",
    "run_up",
    "write_outputs",
]

if TYPE_CHECKING:
    from engine.applier import Change
    from engine.arm_client import ArmClient
    from engine.errors import ArmError, EngineError, EngineUsageError, UnsupportedResource
    from engine.identity import Identity
    from engine.runner import UpResult, default_outputs_path, run_destroy, run_up, write_outputs


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'engine' has no attribute {name!r}")

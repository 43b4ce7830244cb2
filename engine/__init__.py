"""The local engine: evaluate the real ``infra`` program under Pulumi's mock runtime and apply it to the
emulator's ARM API (``python -m emulator up``). A local emulation of ``pulumi up``, not the Pulumi engine."""

from engine.applier import Change
from engine.arm_client import ArmClient
from engine.errors import ArmError, EngineError, EngineUsageError, UnsupportedResource
from engine.mocks import Identity
from engine.runner import UpResult, default_outputs_path, run_up, write_outputs

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
    "run_up",
    "write_outputs",
]

"""The local engine's errors, one tree:

    EngineError              base: a sentence the CLI prints as is (exit 1 unless said otherwise)
    ├── EngineUsageError     bad command line, config or outputs path (exit 2)
    ├── ArmError             ARM answered with its error body; carries status, code and message
    └── UnsupportedResource  the program declared a resource type the engine cannot translate
"""

from __future__ import annotations


class EngineError(Exception):
    """Base class for every error the local engine raises on purpose."""

    exit_code = 1


class EngineUsageError(EngineError):
    """The command line, stack config or a path is wrong; the message says what to fix."""

    exit_code = 2


class ArmError(EngineError):
    """An ARM error answer ``{"error": {"code", "message"}}``; ``resource`` names what was being applied."""

    def __init__(self, status: int, code: str, message: str, resource: str = "") -> None:
        self.status = status
        self.code = code
        self.message = message
        self.resource = resource
        where = f"{resource}: " if resource else ""
        super().__init__(f"{where}ARM answered {status} {code}: {message}")

    def for_resource(self, resource: str) -> ArmError:
        return ArmError(self.status, self.code, self.message, resource)


class UnsupportedResource(EngineError):
    """A resource type with no ARM translation in ``engine.resource_map``."""

"""Suite-wide plugins: Microsoft's specs judge every emulator answer (tests/spec_plugin.py)."""

pytest_plugins = ["tests.spec_plugin"]

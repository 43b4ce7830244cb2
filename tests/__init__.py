"""imagegate test suite."""

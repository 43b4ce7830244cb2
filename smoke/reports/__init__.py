"""Report writers: each turns a ``SmokeReport`` into one format. None sees a secret (results hold none)."""

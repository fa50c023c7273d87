"""The command line: the same driver layer as the app, for scripts and quick checks."""

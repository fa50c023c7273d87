"""One module per driver family; each defines DRIVER_NAME, its secrets, SUT and factory."""

"""The app's screens: compare (home), drivers, SUTs, UID composer, secrets, help, and modals."""

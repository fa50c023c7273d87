"""`sutui report`: batch results, history runs and the arena's leaderboard as one self-contained
HTML file (docs/report.md). Imported only by the `report` command, never when the app starts."""

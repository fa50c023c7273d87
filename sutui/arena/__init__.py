"""Blind A/B voting (arena mode): votes, their storage in the history DB, and the ratings."""

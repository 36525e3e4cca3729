"""Renewal: this plan year's settled experience projected to next year's expected claims
(docs/renewal.md). ``steps`` holds the exact arithmetic of each step, ``leveraged`` the specific
layer's leveraged trend."""

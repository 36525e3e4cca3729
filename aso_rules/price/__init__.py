"""Pricing the plan year before it starts (DOMAIN.md section 13).

On entry: a compiled ``Ruleset`` with ``assumptions`` and an enrollment. On exit: a ``Quote``.
"""

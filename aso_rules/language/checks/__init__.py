"""The checker's rules, one module per part of the language; ``language/check.py`` assembles them.

Each check is a small pure function ``check_xxx(ctx: Context) -> Iterator[Diagnostic]`` whose
docstring names the codes it emits and the rule it enforces.
"""

"""The kernels' structural constants, named once: column positions of the plan tables and the
line status and reason codes.

The positions are derived from ``plan.py``'s column tuples (``TERM_COLUMNS``, ``LIMIT_COLUMNS``,
``DISABILITY_COLUMNS``, ``WINDOW_COLUMNS``), so a kernel reads ``t[k, T_COPAY]`` where it once read
``t[k, 9]``. They are module-level ints on purpose: numba freezes a global into cached code, which
is right for the shape of a table and wrong only for a plan *value* (docs/performance.md trap 3),
and plan values are never here. numba's own cache key sees only a kernel module's source, not
these values: the kernels' cache is keyed on them too (``kernels.cache``), so reordering a column
tuple compiles the kernels again. ``tests/vector/test_layout.py`` checks that every constant is its
name's position.
"""

from __future__ import annotations

from aso_rules.settle.vector.plan import DISABILITY_COLUMNS, LIMIT_COLUMNS, TERM_COLUMNS, WINDOW_COLUMNS

# ------------------------------------------------------------ term matrix: ``TermTable.matrix()``
T_KIND = TERM_COLUMNS.index("kind")
T_FALLBACK = TERM_COLUMNS.index("fallback")
T_DENY_REASON = TERM_COLUMNS.index("deny_reason")
T_EXCLUSION_REASON = TERM_COLUMNS.index("exclusion_reason")
T_CLASS_REASON = TERM_COLUMNS.index("class_reason")
T_WAITING_MONTHS = TERM_COLUMNS.index("waiting_months")
T_SCHEDULE = TERM_COLUMNS.index("schedule")
T_CAT_PRICE = TERM_COLUMNS.index("cat_price")
T_UNPRICED_REASON = TERM_COLUMNS.index("unpriced_reason")
T_COPAY = TERM_COLUMNS.index("copay")
T_DED_APPLIES = TERM_COLUMNS.index("ded_applies")
T_COINS_NUM = TERM_COLUMNS.index("coins_num")
T_COINS_DEN = TERM_COLUMNS.index("coins_den")
T_CP_OOP = TERM_COLUMNS.index("cp_oop")
T_CP_DED = TERM_COLUMNS.index("cp_ded")
T_STEP0 = TERM_COLUMNS.index("step0")
T_STEP1 = TERM_COLUMNS.index("step1")
T_STEP2 = TERM_COLUMNS.index("step2")
T_DED_OWNER = TERM_COLUMNS.index("ded_owner")
T_OOP_OWNER = TERM_COLUMNS.index("oop_owner")
T_DED_IND = TERM_COLUMNS.index("ded_ind")
T_DED_FAM = TERM_COLUMNS.index("ded_fam")
T_DED_AGG = TERM_COLUMNS.index("ded_agg")
T_OOP_IND = TERM_COLUMNS.index("oop_ind")
T_OOP_FAM = TERM_COLUMNS.index("oop_fam")
T_OOP_AGG = TERM_COLUMNS.index("oop_agg")
T_OOP_CAP = TERM_COLUMNS.index("oop_cap")
T_PCT_NUM = TERM_COLUMNS.index("pct_num")
T_PCT_DEN = TERM_COLUMNS.index("pct_den")
T_NEEDS_DED = TERM_COLUMNS.index("needs_ded")
T_N_VISITS = TERM_COLUMNS.index("n_visits")
T_N_DOLLARS = TERM_COLUMNS.index("n_dollars")
T_DISABILITY = TERM_COLUMNS.index("disability")

# ------------------------------------ limit tensor (triple, column, limit): ``TermTable.limit_tensor()``
L_VISIT_KEY = LIMIT_COLUMNS.index("visit_key")
L_VISIT_AMOUNT = LIMIT_COLUMNS.index("visit_amount")
L_VISIT_LIFE = LIMIT_COLUMNS.index("visit_life")
L_VISIT_REASON = LIMIT_COLUMNS.index("visit_reason")
L_DOLLAR_KEY = LIMIT_COLUMNS.index("dollar_key")
L_DOLLAR_AMOUNT = LIMIT_COLUMNS.index("dollar_amount")
L_DOLLAR_LIFE = LIMIT_COLUMNS.index("dollar_life")
L_DOLLAR_REASON = LIMIT_COLUMNS.index("dollar_reason")

# ---------------------------------------------------- disability matrix: ``engine.disability_matrix``
D_PCT_NUM = DISABILITY_COLUMNS.index("pct_num")
D_PCT_DEN = DISABILITY_COLUMNS.index("pct_den")
D_WEEKLY_MAX = DISABILITY_COLUMNS.index("weekly_max")
D_EP_ILLNESS = DISABILITY_COLUMNS.index("ep_illness")
D_EP_ACCIDENT = DISABILITY_COLUMNS.index("ep_accident")
D_DURATION = DISABILITY_COLUMNS.index("duration")
D_MAX_INCLUDES_EP = DISABILITY_COLUMNS.index("max_includes_ep")

# ------------------------------------------------ stop-loss windows: ``stoploss.stop_loss_tables``
W_INCURRED_FROM = WINDOW_COLUMNS.index("incurred_from")
W_INCURRED_TO = WINDOW_COLUMNS.index("incurred_to")
W_PAID_FROM = WINDOW_COLUMNS.index("paid_from")
W_PAID_TO = WINDOW_COLUMNS.index("paid_to")

# ------------------------------------------------------------------------------ line status codes
PAID = 0
DENIED = 1

# ------------------------------------------------------------------------------ line reason codes
# ``reason`` of a line: NO_REASON when it has none, an index >= 0 into ``TermTable.reasons`` for a
# static reason, or one of these special codes, which ``engine.reason_text`` formats.
NO_REASON = -1
NOT_ENROLLED = -2
NOT_COVERED = -3
UNPRICED = -4
WAITING = -5
NO_EARNINGS = -6
DIS_DATES = -7
FALLBACK = -8  # the reason text is in ``Adjudicated.fallback_reasons``
SPECIAL_REASONS: tuple[int, ...] = (
    NOT_ENROLLED,
    NOT_COVERED,
    UNPRICED,
    WAITING,
    NO_EARNINGS,
    DIS_DATES,
    FALLBACK,
)

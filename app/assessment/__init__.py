"""Family economic assessment (家庭经济状况评估): income and assets, standards as data, the monthly
amount with its derivation, eligibility suggestions, recalculation when standards change,
渐退, and the two-person approval of grants, category and amount changes and exits.

Modules: :mod:`income`, :mod:`standards`, :mod:`amounts` (pure calculation), :mod:`eligibility`,
:mod:`assess`, :mod:`approvals`, :mod:`recalc`, :mod:`gradual`.
"""

"""The ledgers: 问题台账 (problems), 信访举报台账 (petitions), 近亲属备案 (relatives)."""
from app import workdays  # noqa: F401  (registers the ledger entities' labels with the audit)

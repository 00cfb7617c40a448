"""不按标施保 at the source: above the maximum for category and family size needs a written reason."""
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from app import audit
from app.assessment import approvals
from app.errors import ValidationError
from db.models import AuditEntry
from procedure_support import complete_steps
from test_assessment_support import household

DAY = date(2026, 3, 2)


def _grant(env, hid, amount, **kw):
    with env.database.session() as s:
        complete_steps(s, env.clerk, hid, DAY)
        return approvals.propose_grant(s, env.clerk, hid, day=DAY, reason="符合条件",
                                       monthly_amount=amount, **kw)


def test_at_the_maximum_passes_one_fen_above_needs_a_reason(env):
    two = [("张三", 11, "户主"), ("李梅", 12, "配偶")]  # 农村低保 600 × 2 = 1200
    assert _grant(env, household(env, two), "1200.00").state == "待审核"
    hid = household(env, [("王五", 21, "户主"), ("赵六", 22, "配偶")])
    with pytest.raises(ValidationError, match=r"最多 1200\.00 元/月.*须写明书面理由") as err:
        _grant(env, hid, "1200.01")
    assert "农村低保标准 600.00 元/人·月 × 保障人数 2" in str(err.value)
    p = _grant(env, hid, "1200.01", over_reason="县民政局特批：重病住院")
    assert any(line.startswith("不按标施保") and "最多 1200.00 元" in line for line in p.derivation)
    with env.database.session() as s:
        done = approvals.approve(s, env.reviewer, p.id, note="同意，已核实特批文件")
        assert done.state == "已批准"
        rows = [e for e in s.execute(select(AuditEntry).where(
            AuditEntry.action == "amount.over_maximum")).scalars()]
    assert [r.username for r in rows] == ["clerk", "reviewer"]
    assert "县民政局特批" in rows[0].after and "已核实特批文件" in rows[1].after
    with env.database.session(write=False) as s:
        assert audit.verify(s).ok


def test_an_increase_above_the_maximum_is_refused_without_reason(env):
    hid = household(env, [("张三", 11, "户主")])
    p = _grant(env, hid, "500")
    with env.database.session() as s:
        approvals.approve(s, env.reviewer, p.id)
        with pytest.raises(ValidationError, match="不按标施保"):
            approvals.propose_change(s, env.clerk, hid, day=date(2026, 4, 1), reason="调整",
                                     monthly_amount=D("600.01"))
        assert approvals.propose_change(s, env.clerk, hid, day=date(2026, 4, 1), reason="调整",
                                        monthly_amount=D("600.00")).state == "待审核"

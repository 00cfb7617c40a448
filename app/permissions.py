"""Roles and what each may do. Enforced in the services (``require``), not only in the UI."""
from __future__ import annotations

from dataclasses import dataclass

from app.errors import PermissionDenied

CLERK, REVIEWER, ADMIN = "经办人", "审核人", "管理员"
ROLES = (CLERK, REVIEWER, ADMIN)

# permission -> (Chinese description, roles that hold it)
PERMISSIONS: dict[str, tuple[str, frozenset[str]]] = {
    "household.edit": ("录入和修改救助对象", frozenset({CLERK, REVIEWER, ADMIN})),
    "household.step": ("登记办理环节", frozenset({CLERK, REVIEWER, ADMIN})),
    "household.status": ("变更保障状态（审核确认、停保）", frozenset({REVIEWER, ADMIN})),
    "household.propose": ("提交纳入、类别变更、金额调整和退出的审核提议", frozenset({CLERK, REVIEWER})),
    "household.approve": ("审核批准或退回提议（两人审核）", frozenset({REVIEWER})),
    "household.view": ("查看救助对象", frozenset({CLERK, REVIEWER, ADMIN})),
    "export.personal": ("导出或打印含个人信息的资料", frozenset({CLERK, REVIEWER, ADMIN})),
    "settings.edit": ("修改规则设置", frozenset({ADMIN})),
    "users.manage": ("管理用户和角色", frozenset({ADMIN})),
    "office.edit": ("修改单位信息和村（居）", frozenset({ADMIN})),
    "backup.restore": ("从备份恢复数据库", frozenset({ADMIN})),
    "ledger.view": ("查看问题、信访和近亲属备案台账", frozenset({CLERK, REVIEWER, ADMIN})),
    "ledger.edit": ("登记和办理问题、信访和近亲属备案台账", frozenset({CLERK, REVIEWER, ADMIN})),
    "ledger.close": ("核验销号问题", frozenset({REVIEWER, ADMIN})),
    "ledger.transfer": ("将问题线索移交纪检监察机关", frozenset({REVIEWER, ADMIN})),
    "calendar.edit": ("修改工作日历（法定节假日和调休）", frozenset({ADMIN})),
    "import.roster": ("导入救助对象花名册（直接记入已审批的保障状态）", frozenset({REVIEWER, ADMIN})),
    "import.source": ("导入外部比对数据、运行数据比对", frozenset({CLERK, REVIEWER, ADMIN})),
    "ledger.extend": ("批准信访办理期限延期", frozenset({REVIEWER})),
    "supervision.edit": ("登记督导检查和公示栏检查", frozenset({CLERK, REVIEWER, ADMIN})),
    "sync.exchange": ("导出和导入数据交换包", frozenset({CLERK, REVIEWER, ADMIN})),
    "sync.assign": ("向乡镇交办问题和答复交办问题", frozenset({CLERK, REVIEWER, ADMIN})),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: passed to every service that writes."""

    username: str
    display_name: str
    role: str
    office_code: str


def can(actor: Actor, permission: str) -> bool:
    return actor.role in PERMISSIONS[permission][1]


def require(actor: Actor, permission: str) -> None:
    if not can(actor, permission):
        what, roles = PERMISSIONS[permission]
        raise PermissionDenied(f"用户 {actor.username}（{actor.role}）无权{what}；"
                               f"此操作需要以下角色之一：{'、'.join(r for r in ROLES if r in roles)}。")

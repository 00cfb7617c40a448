"""Users, roles and passwords (scrypt hashes). Permissions are checked in the services."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.errors import AuthError, NotFound, ValidationError
from app.passwords import check_password, hash_password  # noqa: F401 - part of this module's API
from app.permissions import ADMIN, ROLES, Actor, require
from db.models import User, utcnow

MIN_PASSWORD = 8


def check_new_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError("密码", "******", f"至少 {MIN_PASSWORD} 位")
    if password.isdigit() or password.isalpha():
        raise ValidationError("密码", "******", "须同时包含字母和数字")


@dataclass(frozen=True)
class UserInfo:
    id: str
    username: str
    display_name: str
    role: str
    active: bool
    version: int


def _info(u: User) -> UserInfo:
    return UserInfo(u.id, u.username, u.display_name, u.role, u.active, u.version)


def actor_of(u: User) -> Actor:
    return Actor(username=u.username, display_name=u.display_name, role=u.role,
                 office_code=u.owner_office)


def create_user(session: Session, actor: Actor | None, *, username: str, display_name: str,
                role: str, password: str, office_code: str | None = None,
                must_change: bool | None = None) -> UserInfo:
    """Create a user. ``actor`` None only for the first administrator at init. A password an
    administrator gives another person must be changed at the first login (``must_change``
    defaults to that; the first administrator and the demo users chose or publish theirs)."""
    if actor is not None:
        require(actor, "users.manage")
    username = (username or "").strip()
    if not username or not username.replace("_", "").replace(".", "").isalnum() or len(username) > 40:
        raise ValidationError("用户名", username, "须为 1–40 位字母、数字、下划线或点")
    if role not in ROLES:
        raise ValidationError("角色", role, f"应为：{'、'.join(ROLES)}")
    check_new_password(password)
    if session.execute(select(User.id).where(User.username == username)).first():
        raise ValidationError("用户名", username, "已被使用")
    office = office_code or (actor.office_code if actor else None)
    u = User(owner_office=office, username=username, display_name=(display_name or username).strip(),
             role=role, password_hash=hash_password(password), updated_by=actor.username if actor else username,
             must_change_password=(actor is not None) if must_change is None else must_change)
    session.add(u)
    audit.record_change(session, actor or actor_of(u), "user.create", "user", u, None)
    return _info(u)


def _user(session: Session, username: str) -> User:
    u = session.execute(select(User).where(User.username == username, User.deleted_at.is_(None))).scalar()
    if u is None:
        raise NotFound(f"没有用户“{username}”")
    return u


def authenticate(session: Session, username: str, password: str) -> Actor:
    """Check a login; the same message for an unknown user and a wrong password."""
    u = session.execute(select(User).where(User.username == (username or "").strip(),
                                           User.deleted_at.is_(None))).scalar()
    if u is None or not check_password(password or "", u.password_hash):
        raise AuthError("用户名或密码不正确。")
    if not u.active:
        raise AuthError(f"用户 {u.username} 已停用，请联系管理员。")
    return actor_of(u)


def change_password(session: Session, actor: Actor, *, old: str, new: str) -> None:
    u = _user(session, actor.username)
    if not check_password(old, u.password_hash):
        raise AuthError("原密码不正确。")
    check_new_password(new)
    if check_password(new, u.password_hash):
        raise ValidationError("新密码", "******", "不能与原密码相同")
    before = audit.state(u)
    u.password_hash, u.updated_at, u.updated_by = hash_password(new), utcnow(), actor.username
    u.must_change_password = False
    audit.record_change(session, actor, "user.password", "user", u, before)


def must_change_password(session: Session, username: str) -> bool:
    """True when the user still has an initial or reset password (asked at login)."""
    return bool(_user(session, username).must_change_password)


def reset_password(session: Session, actor: Actor, *, username: str, new: str) -> UserInfo:
    """An administrator gives a user a new initial password (forgotten password); the user must
    change it at the next login. Audited as ``user.password_reset`` (the hash, never the text)."""
    require(actor, "users.manage")
    u = _user(session, username)
    check_new_password(new)
    before = audit.state(u)
    u.password_hash, u.must_change_password = hash_password(new), True
    u.updated_at, u.updated_by = utcnow(), actor.username
    audit.record_change(session, actor, "user.password_reset", "user", u, before)
    return _info(u)


def set_role(session: Session, actor: Actor, *, username: str, role: str | None = None,
             active: bool | None = None) -> UserInfo:
    require(actor, "users.manage")
    u = _user(session, username)
    if role is not None and role not in ROLES:
        raise ValidationError("角色", role, f"应为：{'、'.join(ROLES)}")
    before = audit.state(u)
    if role is not None:
        u.role = role
    if active is not None:
        u.active = active
    if u.username == actor.username and (u.role != ADMIN or not u.active):
        raise ValidationError("用户", username, "不能取消自己的管理员角色或停用自己")
    u.updated_at, u.updated_by = utcnow(), actor.username
    audit.record_change(session, actor, "user.update", "user", u, before)
    return _info(u)


def list_users(session: Session) -> list[UserInfo]:
    return [_info(u) for u in session.execute(select(User).where(User.deleted_at.is_(None))
                                              .order_by(User.username)).scalars()]


def actor_for(session: Session, username: str) -> Actor:
    return actor_of(_user(session, username))


def first_admin(session: Session) -> str:
    name = session.execute(select(User.username).where(User.role == ADMIN, User.active.is_(True),
                                                       User.deleted_at.is_(None))
                           .order_by(User.created_at)).scalar()
    if name is None:
        raise NotFound("数据库中没有管理员用户。")
    return name

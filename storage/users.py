"""Studio accounts: bcrypt-hashed passwords, roles, disabling, per-user spend caps — and the CLI that manages them.

    python -m storage.users add alice [--role admin] [--password-stdin]
    python -m storage.users list
    python -m storage.users disable alice | enable alice
    python -m storage.users set-password alice [--password-stdin]
    python -m storage.users set-role alice admin|member
    python -m storage.users set-cap alice 50        (USD per month; "default" clears it)
    python -m storage.users transfer local alice    (hand every project of one account to another)

The CLI reads the same settings as the studio (HFS_DATABASE_URL / DATABASE_URL, HFS_DATA_DIR, .env). Passwords are
read from a prompt (or one line of stdin with --password-stdin), never from the command line, and never printed.
"""
from __future__ import annotations

import argparse
import getpass
import re
import sys
from typing import Any

import bcrypt
from sqlalchemy import func, select, update

from storage.db import Database
from storage.models import AdPlan, Project, User, utcnow

ROLES = ("admin", "member")
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD_LENGTH = 8
BCRYPT_ROUNDS = 12
# A real hash to compare against when the user does not exist, so a wrong username costs as long as a wrong
# password (no timing oracle for which accounts exist).
_DUMMY_HASH = bcrypt.hashpw(b"not-a-password", bcrypt.gensalt(4))


class UserError(ValueError):
    """A users command cannot be done; the message says why."""


def hash_password(password: str, rounds: int = BCRYPT_ROUNDS) -> str:
    check_password_rules(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password.encode("utf-8")) > 72:
        raise UserError("A password can be at most 72 bytes (bcrypt's limit).")


def check_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME_PATTERN.match(username):
        raise UserError("A username is 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit.")
    return username


class UserStore:
    """Account operations on one database; the CLI, the login check and the tests use it."""

    def __init__(self, db: Database, rounds: int = BCRYPT_ROUNDS) -> None:
        self.db = db
        self.rounds = rounds

    def add(self, username: str, password: str, role: str = "member", display_name: str = "") -> dict[str, Any]:
        username = check_username(username)
        _check_role(role)
        password_hash = hash_password(password, self.rounds)
        with self.db.session() as session:
            if session.scalar(select(User).where(User.username == username)) is not None:
                raise UserError(f"A user '{username}' exists already.")
            user = User(username=username, display_name=display_name or username, role=role,
                        password_hash=password_hash, auth_source="local")
            session.add(user)
            session.flush()
            return user_view(user)

    def list(self) -> list[dict[str, Any]]:
        with self.db.session() as session:
            counts = dict(session.execute(select(Project.owner_id, func.count()).group_by(Project.owner_id)).all())
            users = session.scalars(select(User).order_by(User.username)).all()
            return [{**user_view(u), "projects": counts.get(u.id, 0)} for u in users]

    def set_disabled(self, username: str, disabled: bool) -> dict[str, Any]:
        with self.db.session() as session:
            user = _get(session, username)
            user.disabled = disabled
            return user_view(user)

    def set_password(self, username: str, password: str) -> dict[str, Any]:
        password_hash = hash_password(password, self.rounds)
        with self.db.session() as session:
            user = _get(session, username)
            user.password_hash = password_hash
            user.auth_source = "local"
            return user_view(user)

    def set_role(self, username: str, role: str) -> dict[str, Any]:
        _check_role(role)
        with self.db.session() as session:
            user = _get(session, username)
            user.role = role
            return user_view(user)

    def set_cap(self, username: str, monthly_cap_usd: float | None) -> dict[str, Any]:
        if monthly_cap_usd is not None and not monthly_cap_usd >= 0:
            raise UserError("A monthly cap is a number of USD, 0 or more.")
        with self.db.session() as session:
            user = _get(session, username)
            user.monthly_cap_usd = monthly_cap_usd
            return user_view(user)

    def transfer(self, from_username: str, to_username: str) -> int:
        """Give every project (and ad plan) of one account to another; returns how many projects moved."""
        with self.db.session() as session:
            source, target = _get(session, from_username), _get(session, to_username)
            moved = session.execute(update(Project).where(Project.owner_id == source.id)
                                    .values(owner_id=target.id)).rowcount
            session.execute(update(AdPlan).where(AdPlan.owner_id == source.id).values(owner_id=target.id))
            return int(moved or 0)

    def authenticate(self, username: str, password: str) -> bool:
        """The login check Gradio calls: right password of an enabled local account."""
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.username == (username or "").strip()))
            stored = user.password_hash.encode("ascii") if user is not None and user.password_hash else _DUMMY_HASH
            try:
                ok = bcrypt.checkpw((password or "").encode("utf-8")[:72], stored)
            except ValueError:
                ok = False
            if not ok or user is None or user.disabled or not user.password_hash:
                return False
            user.last_login_at = utcnow()
            return True


def user_view(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "role": user.role,
            "auth_source": user.auth_source, "disabled": bool(user.disabled),
            "monthly_cap_usd": user.monthly_cap_usd,
            "last_login_at": user.last_login_at.isoformat(timespec="seconds") if user.last_login_at else None}


def _get(session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        raise UserError(f"No user '{username}'. `python -m storage.users list` shows the accounts.")
    return user


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"A role is one of {', '.join(ROLES)}; got '{role}'.")


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise UserError("The two passwords differ.")
    return first


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m storage.users", description="Manage studio accounts.")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, default="member")
    add.add_argument("--display-name", default="")
    add.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    sub.add_parser("list", help="list accounts")
    for name in ("disable", "enable"):
        sub.add_parser(name, help=f"{name} an account").add_argument("username")
    pw = sub.add_parser("set-password", help="set a new password")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true")
    role = sub.add_parser("set-role", help="make an account admin or member")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)
    cap = sub.add_parser("set-cap", help="monthly spend cap in USD ('default' = the studio-wide cap)")
    cap.add_argument("username")
    cap.add_argument("usd")
    transfer = sub.add_parser("transfer", help="give every project of one account to another")
    transfer.add_argument("from_username")
    transfer.add_argument("to_username")
    return parser


def main(argv: list[str] | None = None) -> int:
    from pipeline.settings import Settings

    args = _parser().parse_args(argv)
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    db.upgrade()
    store = UserStore(db)
    try:
        if args.command == "add":
            user = store.add(args.username, _read_password(args), args.role, args.display_name)
            print(f"Added {user['role']} '{user['username']}'.")
        elif args.command == "list":
            rows = store.list()
            print(f"{'username':<24} {'role':<7} {'source':<6} {'state':<8} {'cap USD':>8} {'projects':>8}  last login")
            for u in rows:
                cap = "default" if u["monthly_cap_usd"] is None else f"{u['monthly_cap_usd']:.2f}"
                state = "disabled" if u["disabled"] else "active"
                print(f"{u['username']:<24} {u['role']:<7} {u['auth_source']:<6} {state:<8} {cap:>8} "
                      f"{u['projects']:>8}  {u['last_login_at'] or '-'}")
        elif args.command in ("disable", "enable"):
            store.set_disabled(args.username, args.command == "disable")
            print(f"{args.command.capitalize()}d '{args.username}'.")
        elif args.command == "set-password":
            store.set_password(args.username, _read_password(args))
            print(f"Password of '{args.username}' changed.")
        elif args.command == "set-role":
            store.set_role(args.username, args.role)
            print(f"'{args.username}' is now {args.role}.")
        elif args.command == "set-cap":
            usd = None if args.usd.lower() == "default" else _number(args.usd)
            store.set_cap(args.username, usd)
            print(f"Monthly cap of '{args.username}': {'studio default' if usd is None else f'{usd:.2f} USD'}.")
        elif args.command == "transfer":
            moved = store.transfer(args.from_username, args.to_username)
            print(f"Moved {moved} project{'s' if moved != 1 else ''} from '{args.from_username}' to "
                  f"'{args.to_username}'.")
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    return 0


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise UserError(f"'{text}' is not a number of USD.") from None


if __name__ == "__main__":
    sys.exit(main())

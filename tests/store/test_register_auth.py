"""Users: explicit first admin, argon2 hashes, lock-out, disable/unlock, password rules."""

from __future__ import annotations

import pytest
from register_helpers import PASSWORDS, add_users
from sqlalchemy import text

from labelapp.domain.errors import AuthenticationError, PermissionDenied, RuleViolation


def test_no_default_accounts_and_first_user_must_be_admin(any_reg):
    assert not any_reg.accounts.has_users()
    with pytest.raises(AuthenticationError, match="user name or password is wrong"):
        any_reg.accounts.authenticate("admin", "admin")
    with pytest.raises(RuleViolation, match="first account must be an administrator"):
        any_reg.accounts.create_user("tom", "Tom Tech", "technician", "tech-pass-0002")
    any_reg.accounts.create_user("admin", "Ada Admin", "admin", PASSWORDS["admin"])
    with pytest.raises(PermissionDenied, match="only an administrator"):
        any_reg.accounts.create_user("eve", "Eve", "admin", "eve-password-01")  # no more bootstrap
    assert [u.username for u in any_reg.accounts.list_users()] == ["admin"]


def test_password_is_stored_as_argon2_and_never_logged(any_reg):
    add_users(any_reg, "tech")
    with any_reg.database.read() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users WHERE username = 'tech'")).scalar_one()
        trail = " ".join(str(v) for row in conn.execute(text("SELECT * FROM audit_log")) for v in row)
    assert stored.startswith("$argon2id$")
    assert PASSWORDS["tech"] not in stored and PASSWORDS["tech"] not in trail and "$argon2" not in trail


@pytest.mark.parametrize("password", ["short", "tech-tech", "aaaaaaaaaaaa"])
def test_weak_passwords_refused(any_reg, password):
    admin = add_users(any_reg)["admin"]
    with pytest.raises(RuleViolation, match="password"):
        any_reg.accounts.create_user("tech-tech", "Tom Tech", "technician", password, actor=admin)
    assert len(any_reg.accounts.list_users()) == 1


def test_lockout_after_configured_failures_and_admin_unlock(any_reg):
    who = add_users(any_reg, "tech", "pharm")
    any_reg.settings.update(who["admin"], {"lockout_attempts": 3})
    for _ in range(2):
        with pytest.raises(AuthenticationError, match="user name or password is wrong"):
            any_reg.accounts.authenticate("tech", "wrong-password")
    assert any_reg.accounts.get_user("tech").failed_attempts == 2
    with pytest.raises(AuthenticationError, match="now locked"):
        any_reg.accounts.authenticate("tech", "wrong-password")
    with pytest.raises(AuthenticationError, match="locked"):
        any_reg.accounts.authenticate("tech", PASSWORDS["tech"])  # even the right password
    with pytest.raises(PermissionDenied, match="may not manage users"):
        any_reg.accounts.unlock_user("tech", who["pharm"])
    any_reg.accounts.unlock_user("tech", who["admin"], reason="identity confirmed by supervisor")
    assert any_reg.accounts.authenticate("tech", PASSWORDS["tech"]).username == "tech"
    actions = [e.action for e in any_reg.audit.entries(record_type="user", record_id="tech")]
    assert actions.count("auth.failed") == 4 and "user.locked" in actions and "user.unlocked" in actions


def test_successful_sign_in_resets_the_failure_count(any_reg):
    add_users(any_reg, "tech")
    with pytest.raises(AuthenticationError, match="user name or password is wrong"):
        any_reg.accounts.authenticate("tech", "wrong-password")
    any_reg.accounts.authenticate("tech", PASSWORDS["tech"])
    assert any_reg.accounts.get_user("tech").failed_attempts == 0


def test_disabled_user_cannot_sign_in_or_act(any_reg):
    who = add_users(any_reg, "tech")
    with pytest.raises(RuleViolation, match="reason"):
        any_reg.accounts.disable_user("tech", who["admin"], "")
    any_reg.accounts.disable_user("tech", who["admin"], "left the company")
    with pytest.raises(AuthenticationError, match="disabled"):
        any_reg.accounts.authenticate("tech", PASSWORDS["tech"])
    with pytest.raises(AuthenticationError, match="disabled"):  # an old session object is re-checked
        any_reg.archive.add(None, "other", b"%PDF-1.4", who["tech"])
    with pytest.raises(RuleViolation, match="last active administrator"):
        any_reg.accounts.disable_user("admin", who["admin"], "oops")


def test_unknown_user_gets_the_same_message(any_reg):
    add_users(any_reg)
    with pytest.raises(AuthenticationError, match="^user name or password is wrong$"):
        any_reg.accounts.authenticate("nobody", "whatever-password")


def test_change_and_reset_password(any_reg):
    who = add_users(any_reg, "tech")
    any_reg.accounts.change_password("tech", PASSWORDS["tech"], "a-new-password-77")
    with pytest.raises(AuthenticationError, match="user name or password is wrong"):
        any_reg.accounts.authenticate("tech", PASSWORDS["tech"])
    any_reg.accounts.authenticate("tech", "a-new-password-77")
    any_reg.accounts.reset_password("tech", "reset-password-88", who["admin"], reason="forgotten")
    any_reg.accounts.authenticate("tech", "reset-password-88")


def test_failed_sign_in_does_not_log_a_password_typed_as_user_name(any_reg):
    add_users(any_reg)
    with pytest.raises(AuthenticationError, match="user name or password is wrong"):
        any_reg.accounts.authenticate("My$ecretPassw0rd!", "x")
    failed = [e for e in any_reg.audit.entries() if e.action == "auth.failed"]
    assert failed[-1].record_id == "(not a user name)"
    assert all("My$ecret" not in (e.record_id + (e.new_value or "")) for e in any_reg.audit.entries())

"""The MT-SICS client against the simulated balance: real pseudo-terminals, real pyserial, the real thread.

No timing assertions: time-outs are generous where an answer is expected, and short only where the test
is about the absence of one; every assertion is about an outcome.
"""

from __future__ import annotations

import errno
import os
import selectors
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import FrozenInstanceError
from decimal import Decimal
from functools import partial

import pytest
import serial

from labelapp.domain.errors import LabelappError
from labelapp.instruments.mtsics import BalanceError, MtSicsBalance
from labelapp.instruments.simulator import SimulatedBalance

ANSWER_S = 10.0  # how long a client waits for an answer the simulator does send


@pytest.fixture
def sim() -> Iterator[SimulatedBalance]:
    with SimulatedBalance("161.70", "g", serial_number="B021002593", stable_delay_s=0.05) as balance:
        yield balance


@pytest.fixture
def balance(sim: SimulatedBalance) -> Iterator[MtSicsBalance]:
    with MtSicsBalance.open(sim.port, timeout_s=ANSWER_S) as client:
        yield client


def problem(excinfo: pytest.ExceptionInfo[BalanceError]) -> str:
    return str(excinfo.value)


# --- weights, exactly as the balance sends them ------------------------------------------------------------


def test_stable_reading_keeps_the_exact_decimal_digits(balance: MtSicsBalance) -> None:
    reading = balance.read_stable(timeout_s=ANSWER_S)
    assert isinstance(reading.value, Decimal)
    assert str(reading.value) == "161.70"
    assert reading.unit == "g"
    assert reading.stable is True
    assert reading.raw.startswith("S S ") and reading.raw.endswith(" 161.70 g")
    assert str(reading) == "161.70 g"


@pytest.mark.parametrize(
    ("weight", "unit"),
    [("161.70", "g"), ("0.0500", "kg"), ("12.5", "mg"), ("-0.0082", "g"), ("100", "g"), ("3.000", "ct")],
)
def test_digits_and_unit_pass_through_unchanged(weight: str, unit: str) -> None:
    with SimulatedBalance(weight, unit) as sim, MtSicsBalance.open(sim.port, timeout_s=ANSWER_S) as balance:
        stable = balance.read_stable(timeout_s=ANSWER_S)
        now = balance.read_immediate()
    for reading in (stable, now):
        assert (str(reading.value), reading.unit) == (weight, unit)
        assert reading.value == Decimal(weight)


def test_a_reading_is_frozen(balance: MtSicsBalance) -> None:
    reading = balance.read_immediate()
    with pytest.raises(FrozenInstanceError):
        reading.value = Decimal(1)  # type: ignore[misc]


def test_serial_number_and_readings_carry_it(balance: MtSicsBalance) -> None:
    assert balance.read_stable(timeout_s=ANSWER_S).serial_number is None  # not asked yet
    assert balance.serial_number() == "B021002593"
    assert balance.read_stable(timeout_s=ANSWER_S).serial_number == "B021002593"
    assert balance.read_immediate().serial_number == "B021002593"


def test_reset_answers_with_the_serial_number(balance: MtSicsBalance) -> None:
    assert balance.reset() == "B021002593"


def test_balance_data(balance: MtSicsBalance) -> None:
    assert balance.balance_data() == "Simulated MT-SICS balance 220.00 g"


def test_dynamic_values_then_stable(sim: SimulatedBalance, balance: MtSicsBalance) -> None:
    sim.set_weight("25.130", unstable_requests=2)
    first, second, third = (balance.read_immediate() for _ in range(3))
    assert (first.stable, second.stable, third.stable) == (False, False, True)
    assert first.raw.startswith("S D ") and second.raw.startswith("S D ")
    assert str(third.value) == "25.130"


def test_read_stable_waits_through_not_stable_answers(sim: SimulatedBalance, balance: MtSicsBalance) -> None:
    sim.set_weight("25.130", unstable_requests=3)
    reading = balance.read_stable(timeout_s=ANSWER_S)
    assert (str(reading.value), reading.stable) == ("25.130", True)
    assert sim.received.count("S") == 3  # two "S I" answers, then the stable weight


def test_no_stable_weight_before_the_time_out(sim: SimulatedBalance, balance: MtSicsBalance) -> None:
    sim.never_stable = True
    with pytest.raises(BalanceError) as excinfo:
        balance.read_stable(timeout_s=1)
    assert problem(excinfo) == "no stable weight within 1 s: keep the balance still and try again"
    assert excinfo.value.kind == "not_stable"
    assert isinstance(excinfo.value, LabelappError)
    assert balance.read_immediate().stable is False  # the port is still usable


def test_overload(sim: SimulatedBalance, balance: MtSicsBalance) -> None:
    sim.state = "overload"
    for read in (partial(balance.read_stable, timeout_s=ANSWER_S), balance.read_immediate):
        with pytest.raises(BalanceError) as excinfo:
            read()
        assert problem(excinfo) == "the balance reports an overload (weight above its capacity)"
        assert excinfo.value.kind == "overload"


def test_a_load_above_capacity_is_an_overload(sim: SimulatedBalance, balance: MtSicsBalance) -> None:
    sim.set_weight("220.01")
    with pytest.raises(BalanceError, match="overload"):
        balance.read_stable(timeout_s=ANSWER_S)


def test_underload(sim: SimulatedBalance, balance: MtSicsBalance) -> None:
    sim.state = "underload"
    for read in (partial(balance.read_stable, timeout_s=ANSWER_S), balance.read_immediate):
        with pytest.raises(BalanceError) as excinfo:
            read()
        assert problem(excinfo).startswith("the balance reports an underload")
        assert "weighing pan is in place" in problem(excinfo)
        assert excinfo.value.kind == "underload"


def test_an_internal_error_in_place_of_the_weight(sim: SimulatedBalance, balance: MtSicsBalance) -> None:
    sim.fail_next("S S    Error 10b")
    with pytest.raises(BalanceError) as excinfo:
        balance.read_stable(timeout_s=ANSWER_S)
    assert excinfo.value.kind == "device_error"
    assert "(10b)" in problem(excinfo)


# --- general errors ----------------------------------------------------------------------------------------


def test_syntax_error_from_a_command_the_balance_lacks() -> None:
    with (
        SimulatedBalance("1.00", unsupported={"I4"}) as sim,
        MtSicsBalance.open(sim.port, timeout_s=ANSWER_S) as balance,
    ):
        with pytest.raises(BalanceError) as excinfo:
            balance.serial_number()
        assert str(excinfo.value) == "the balance did not understand the command (ES)"
        assert excinfo.value.kind == "syntax_error"
        assert str(balance.read_stable(timeout_s=ANSWER_S).value) == "1.00"


@pytest.mark.parametrize(
    ("line", "kind", "words"),
    [
        ("ES", "syntax_error", "the balance did not understand the command (ES)"),
        (
            "ET",
            "transmission_error",
            "the balance received a garbled command (ET): check the cable and the port settings (9600 8N1)",
        ),
        ("EL", "logical_error", "the balance refused the command (EL)"),
    ],
)
def test_general_errors(sim: SimulatedBalance, balance: MtSicsBalance, line: str, kind: str, words: str) -> None:
    sim.fail_next(line)
    with pytest.raises(BalanceError) as excinfo:
        balance.read_immediate()
    assert excinfo.value.kind == kind
    assert problem(excinfo).startswith(words)
    assert str(balance.read_immediate().value) == "161.70"  # the next command is answered normally


def test_busy(sim: SimulatedBalance, balance: MtSicsBalance) -> None:
    sim.fail_next("S I")
    with pytest.raises(BalanceError) as excinfo:
        balance.read_immediate()
    assert excinfo.value.kind == "busy"


# --- zero and tare -----------------------------------------------------------------------------------------


def test_tare_and_zero_change_the_net_weight(sim: SimulatedBalance, balance: MtSicsBalance) -> None:
    tare = balance.tare(timeout_s=ANSWER_S)
    assert (str(tare.value), tare.unit, tare.raw.split()[:2]) == ("161.70", "g", ["T", "S"])
    assert str(balance.tare_value().value) == "161.70"
    assert str(balance.read_stable(timeout_s=ANSWER_S).value) == "0.00"

    sim.set_weight("171.75")  # 10.05 g added to the tared container
    assert str(balance.read_stable(timeout_s=ANSWER_S).value) == "10.05"

    balance.zero(timeout_s=ANSWER_S)
    assert str(balance.read_stable(timeout_s=ANSWER_S).value) == "0.00"
    assert str(balance.tare_value().value) == "0.00"  # zeroing cleared the tare

    sim.set_weight("180.00")
    assert str(balance.read_immediate().value) == "8.25"


def test_clear_tare(sim: SimulatedBalance, balance: MtSicsBalance) -> None:
    balance.tare(timeout_s=ANSWER_S)
    balance.clear_tare()
    assert str(balance.read_stable(timeout_s=ANSWER_S).value) == "161.70"


def test_zero_and_tare_wait_for_a_stable_load(sim: SimulatedBalance, balance: MtSicsBalance) -> None:
    sim.set_weight("50.00", unstable_requests=2)
    balance.zero(timeout_s=ANSWER_S)
    assert sim.received.count("Z") == 2
    sim.never_stable = True
    with pytest.raises(BalanceError) as excinfo:
        balance.tare(timeout_s=1)
    assert problem(excinfo) == (
        "the balance could not tare within 1 s (not stable or busy): keep it still and try again"
    )
    with pytest.raises(BalanceError) as excinfo:
        balance.zero(timeout_s=1)
    assert excinfo.value.kind == "not_stable"


@pytest.mark.parametrize("state", ["overload", "underload"])
def test_zero_and_tare_out_of_range(sim: SimulatedBalance, balance: MtSicsBalance, state: str) -> None:
    sim.state = state  # type: ignore[assignment]
    for action in (balance.zero, balance.tare):
        with pytest.raises(BalanceError) as excinfo:
            action(ANSWER_S)
        assert excinfo.value.kind == "out_of_range"
        assert "range" in problem(excinfo)


# --- the line: silence, garbage, ports ---------------------------------------------------------------------


def test_a_silent_balance_names_the_port() -> None:
    with SimulatedBalance("161.70", mode="silent") as sim, MtSicsBalance.open(sim.port, timeout_s=0.5) as balance:
        with pytest.raises(BalanceError) as excinfo:
            balance.serial_number()
        assert str(excinfo.value) == (
            f"no answer from the balance on {sim.port} within 0.5 s: check the cable and the port settings (9600 8N1)"
        )
        assert excinfo.value.kind == "no_answer"
        with pytest.raises(BalanceError) as excinfo:
            balance.read_stable(timeout_s=1)
        assert str(excinfo.value).startswith(f"no answer from the balance on {sim.port} within 1 s:")
        assert sim.received == ["I4", "S"]  # the commands did reach it


def test_the_settings_in_the_message_are_the_ones_used() -> None:
    with (
        SimulatedBalance("1.0", mode="silent") as sim,
        MtSicsBalance.open(sim.port, baudrate=2400, bytesize=7, parity="e", stopbits=1, timeout_s=0.5) as balance,
        pytest.raises(BalanceError, match=r"\(2400 7E1\)$"),
    ):
        balance.read_immediate()


def test_garbage_and_blank_lines_before_the_answer_are_tolerated() -> None:
    with (
        SimulatedBalance("161.70", serial_number="B021002593", mode="garbage") as sim,
        MtSicsBalance.open(sim.port, timeout_s=ANSWER_S) as balance,
    ):
        assert balance.serial_number() == "B021002593"
        reading = balance.read_stable(timeout_s=ANSWER_S)
        assert (str(reading.value), reading.unit, reading.stable) == ("161.70", "g", True)
        assert reading.raw.startswith("S S ")  # the garbage is not part of the raw answer
        assert str(balance.tare(timeout_s=ANSWER_S).value) == "161.70"


def test_lines_that_are_not_mtsics() -> None:
    # loop:// hands back what was sent: a line that is no answer to it
    with MtSicsBalance.open("loop://", timeout_s=0.5) as balance, pytest.raises(BalanceError) as excinfo:
        balance.serial_number()
    assert excinfo.value.kind == "not_mtsics"
    assert str(excinfo.value).startswith(
        "the balance on loop:// answered 'I4', which is not MT-SICS: check the port settings (9600 8N1)"
    )


def test_a_wrong_port_path(tmp_path: os.PathLike[str]) -> None:
    path = os.path.join(tmp_path, "ttyUSB0")
    with pytest.raises(BalanceError) as excinfo:
        MtSicsBalance.open(path)
    assert str(excinfo.value).startswith(f"cannot open {path}: no such port")
    assert excinfo.value.kind == "cannot_open"


def test_not_a_serial_port() -> None:
    with pytest.raises(BalanceError) as excinfo:
        MtSicsBalance.open("/dev/null")
    assert str(excinfo.value) == "cannot open /dev/null: it is not a serial port (check the port name)"


def test_permission_denied_names_the_dialout_group(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root here, so the refusal pyserial raises for a port the user may not open is replayed.
    def refuse(url: str, **settings: object) -> serial.SerialBase:
        raise serial.SerialException(errno.EACCES, f"could not open port {url}: [Errno 13] Permission denied: '{url}'")

    monkeypatch.setattr(serial, "serial_for_url", refuse)
    with pytest.raises(BalanceError) as excinfo:
        MtSicsBalance.open("/dev/ttyUSB0")
    assert str(excinfo.value) == "cannot open /dev/ttyUSB0: permission denied (add the user to the dialout group)"


def test_bad_port_settings_are_refused_plainly(sim: SimulatedBalance) -> None:
    with pytest.raises(BalanceError) as excinfo:
        MtSicsBalance.open(sim.port, bytesize=9)
    assert excinfo.value.kind == "cannot_open"
    assert str(excinfo.value).startswith(f"cannot open {sim.port}: ")


def test_a_balance_that_goes_away() -> None:
    sim = SimulatedBalance("161.70").start()
    balance = MtSicsBalance.open(sim.port, timeout_s=ANSWER_S)
    try:
        assert str(balance.read_immediate().value) == "161.70"
        sim.stop()  # the pty hangs up, as a cable pulled out of a USB adapter
        with pytest.raises(BalanceError) as excinfo:
            balance.read_immediate()
        assert excinfo.value.kind == "connection_lost"
        assert str(excinfo.value).startswith(f"the connection to the balance on {sim.port} was lost: ")
    finally:
        balance.close()
        sim.stop()


def test_a_closed_port(sim: SimulatedBalance) -> None:
    with MtSicsBalance.open(sim.port, timeout_s=ANSWER_S) as balance:
        assert balance.is_open
    assert not balance.is_open
    balance.close()  # twice is fine
    with pytest.raises(BalanceError) as excinfo:
        balance.read_immediate()
    assert str(excinfo.value) == f"the connection to the balance on {sim.port} is closed: open it again"


def test_reopening_the_same_port(sim: SimulatedBalance) -> None:
    for _ in range(3):
        with MtSicsBalance.open(sim.port, timeout_s=ANSWER_S) as balance:
            assert str(balance.read_stable(timeout_s=ANSWER_S).value) == "161.70"


# --- the simulator's command line --------------------------------------------------------------------------


def _first_line(proc: subprocess.Popen[str], timeout_s: float) -> str:
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout_s):
            raise AssertionError("the simulator printed nothing")
    return proc.stdout.readline().strip()


def test_simulator_command_line_serves_until_interrupted() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "labelapp.instruments.simulator",
            "--weight",
            "161.70",
            "--unit",
            "g",
            "--serial-number",
            "B021002593",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = _first_line(proc, timeout_s=60)
        assert port.startswith("/dev/")
        with MtSicsBalance.open(port, timeout_s=ANSWER_S) as balance:
            assert balance.serial_number() == "B021002593"
            reading = balance.read_stable(timeout_s=ANSWER_S)
        assert (str(reading.value), reading.unit, reading.serial_number) == ("161.70", "g", "B021002593")
        proc.send_signal(signal.SIGINT)  # Ctrl+C
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0
        assert "Traceback" not in err
        assert port in err  # the human hint names the port too
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_simulator_command_line_stops_on_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "labelapp.instruments.simulator", "--weight", "5.0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = _first_line(proc, timeout_s=60)
        with MtSicsBalance.open(port, timeout_s=ANSWER_S) as balance:
            assert str(balance.read_immediate().value) == "5.0"
        proc.terminate()
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()

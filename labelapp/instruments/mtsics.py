"""Mettler Toledo balances over a serial port: the MT-SICS level 0/1 commands a batch record needs.

A weight is kept exactly as the balance reports it: the digits as a :class:`~decimal.Decimal` (``161.70``
stays ``161.70``) and the unit as its text (``g``, ``mg``, ``kg``, ...), with the raw line beside them.

MT-SICS in one paragraph: the host sends an upper-case command closed by CR LF (``S``, ``SI``, ``Z``, ...);
the balance answers one line that repeats the command's name, a status and maybe a value, e.g.
``S S      100.00 g`` (stable weight), ``S D       99.98 g`` (dynamic weight, only from ``SI``), ``S I``
(understood but not executable now: busy, or no stable weight before the balance's own time-out), ``S +`` /
``S -`` (overload / underload), ``Z A`` (zeroed), ``T S  <tare> g`` (tared), ``TA A <tare> g`` (the tare
memory), ``I4 A "<serial number>"``. Any command may instead be answered ``ES`` (syntax error: not
understood), ``ET`` (transmission error: e.g. a parity error) or ``EL`` (logical error: cannot be executed).
The default line settings are the MT-SICS ones: 9600 baud, 8 data bits, no parity, 1 stop bit, CR LF.

Every instrument problem is raised as one :class:`BalanceError` with a sentence a technician can act on;
its ``kind`` names the problem for code that must branch on it (never match the message text).
"""

from __future__ import annotations

import errno
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import Literal, Protocol, Self, cast

import serial

from labelapp.domain.errors import LabelappError

try:  # pyserial's POSIX port lets termios.error (not an OSError) through from a pty or adapter that hung up
    from termios import error as _TermiosError

    _IO_ERRORS: tuple[type[BaseException], ...] = (OSError, _TermiosError)
except ImportError:  # Windows
    _IO_ERRORS = (OSError,)

__all__ = ["BalanceError", "BalanceProblem", "MtSicsBalance", "Reading", "SerialPort", "SerialSettings"]

BalanceProblem = Literal[
    "cannot_open",  # the port could not be opened (missing, permission, busy, bad settings)
    "connection_lost",  # the port went away or was closed while in use
    "no_answer",  # nothing came back in time
    "not_mtsics",  # lines came back, but none was an MT-SICS answer to the command
    "not_stable",  # no stable weight in time (S I, Z I, T I until the deadline)
    "busy",  # the balance cannot execute the command now (I status from SI, TA, I4, ...)
    "overload",
    "underload",
    "out_of_range",  # zero or tare setting range exceeded (Z +, Z -, T +, T -)
    "syntax_error",  # ES
    "transmission_error",  # ET
    "logical_error",  # EL, or the L status
    "device_error",  # the balance reports an internal error in place of the weight
]


class BalanceError(LabelappError):
    """An instrument problem, as one sentence a technician can act on; ``kind`` names it for code."""

    def __init__(self, message: str, kind: BalanceProblem):
        super().__init__(message)
        self.kind: BalanceProblem = kind


@dataclass(frozen=True)
class Reading:
    """One value as the balance sent it: exact digits, unit text, stability, the raw line and the balance."""

    value: Decimal
    unit: str
    stable: bool
    raw: str
    serial_number: str | None = None

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"


@dataclass(frozen=True)
class SerialSettings:
    """Line settings; the defaults are MT-SICS's (9600 8N1, CR LF). They must match the balance's menu."""

    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"  # N, E, O, M or S
    stopbits: float = 1
    eol: str = "\r\n"

    def describe(self) -> str:
        """'9600 8N1', as the settings are written on a balance's interface menu."""
        return f"{self.baudrate} {self.bytesize}{self.parity}{self.stopbits:g}"


# --- parsing ---------------------------------------------------------------------------------------------

_VALUE = r"(?P<value>[-+]?(?:\d+(?:\.\d*)?|\.\d+))"
_UNIT = r"(?P<unit>\S+)"
# A line may carry garbage before the answer (noise on the line at power-up, a half line from before the
# flush): the answer is found at the END of the cleaned line, starting at its command name.
_START = r"(?<![A-Z0-9])"
_GENERAL_ERROR = re.compile(_START + r"(?P<code>E[STL])$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _answers(ident: str, *bodies: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(rf"{_START}{re.escape(ident)} {body}$") for body in bodies)


_WEIGHT_ANSWERS = _answers(
    "S",
    r"(?P<status>[SD]) +Error +(?P<code>\S+)",
    rf"(?P<status>[SD]) +{_VALUE} +{_UNIT}",
    r"(?P<status>[I+\-L])",
)
_ZERO_ANSWERS = _answers("Z", r"(?P<status>[AI+\-L])")
_TARE_ANSWERS = _answers("T", rf"(?P<status>S) +{_VALUE} +{_UNIT}", r"(?P<status>[I+\-L])")
_TARE_VALUE_ANSWERS = _answers("TA", rf"(?P<status>A) +{_VALUE} +{_UNIT}", r"(?P<status>[IL])")
_CLEAR_TARE_ANSWERS = _answers("TAC", r"(?P<status>[AIL])")
# The serial number is quoted in the reference manuals; some firmware sends it bare.
_SERIAL_ANSWERS = _answers(
    "I4", r'(?P<status>A) +"(?P<text>[^"]*)"', r"(?P<status>A) +(?P<text>\S+)", r"(?P<status>[IL])"
)
_DATA_ANSWERS = _answers("I2", r"(?P<status>A) +(?P<text>.+)", r"(?P<status>[IL])")


def _clean(raw: bytes) -> str:
    """A received line as text: 8-bit ASCII, control characters (NUL, stray CR, ...) dropped, trimmed."""
    return _CONTROL.sub("", raw.decode("latin-1")).strip()


def _seconds(value: float) -> str:
    return f"{value:g}"


def _open_problem(url: str, exc: BaseException, settings: SerialSettings) -> BalanceError:
    code = getattr(exc, "errno", None)
    text = str(exc).lower()
    if code == errno.ENOENT or "no such file" in text:
        why = "no such port (check that the balance's cable is plugged in and the port name is right)"
    elif code in (errno.EACCES, errno.EPERM) or "permission denied" in text:
        why = "permission denied (add the user to the dialout group)"
    elif code == errno.EBUSY or "busy" in text:
        why = "the port is in use by another program (close it and try again)"
    elif code == errno.ECONNREFUSED or "connection refused" in text:
        why = "the connection was refused (check the address and that the serial server is on)"
    elif isinstance(exc, ValueError):
        why = f"{exc} (check the port name and the port settings {settings.describe()})"
    elif "inappropriate ioctl" in text or "could not configure port" in text:
        why = "it is not a serial port (check the port name)"
    else:
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        why = f"{detail} (check the port name and the cable)"
    return BalanceError(f"cannot open {url}: {why}", "cannot_open")


class SerialPort(Protocol):
    """What the client uses of a pyserial port (every pyserial port class has these; the stubs put two of
    them on the platform classes only, hence the cast in :meth:`MtSicsBalance.open`)."""

    @property
    def is_open(self) -> bool: ...
    @property
    def in_waiting(self) -> int: ...
    def read(self, size: int = 1) -> bytes: ...
    def write(self, data: bytes, /) -> int | None: ...
    def flush(self) -> None: ...
    def reset_input_buffer(self) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class _Answer:
    status: str
    match: re.Match[str]
    text: str


# --- the client --------------------------------------------------------------------------------------------


class MtSicsBalance:
    """A Mettler Toledo balance on a serial port (a device, a pty path, or a pyserial URL such as
    ``socket://host:port`` or ``loop://``). Open it with :meth:`open`; use it as a context manager.

    ``timeout_s`` bounds the wait for an answer to a command that answers at once (``SI``, ``I4``, ``TA``);
    the commands that wait for a stable weight (``S``, ``Z``, ``T``) take their own ``timeout_s``.
    Not thread-safe: one caller at a time (MT-SICS itself is one command, one answer).
    """

    _POLL_S = 0.05  # how long one read may block; the deadlines are enforced around it
    _RETRY_PAUSE_S = 0.1  # between an "I" answer (not stable yet, busy) and asking again

    def __init__(self, port: SerialPort, *, name: str, settings: SerialSettings, timeout_s: float):
        self._port = port
        self._name = name
        self._settings = settings
        self._eol = settings.eol.encode("ascii")
        self._timeout_s = timeout_s
        self._buffer = bytearray()
        self._serial_number: str | None = None

    @classmethod
    def open(
        cls,
        url: str,
        *,
        baudrate: int = 9600,
        bytesize: int = 8,
        parity: str = "N",
        stopbits: float = 1,
        eol: str = "\r\n",
        timeout_s: float = 2.0,
    ) -> MtSicsBalance:
        """Open the port at ``url`` with the balance's line settings (MT-SICS defaults: 9600 8N1, CR LF)."""
        settings = SerialSettings(
            baudrate=baudrate, bytesize=bytesize, parity=parity.upper(), stopbits=stopbits, eol=eol
        )
        if not eol or not eol.isascii():
            raise BalanceError(f"cannot open {url}: the line ending must be CR LF, CR or LF", "cannot_open")
        if timeout_s <= 0:
            raise BalanceError(f"cannot open {url}: the answer time-out must be more than 0 s", "cannot_open")
        try:
            port = cast(
                SerialPort,
                serial.serial_for_url(
                    url,
                    baudrate=settings.baudrate,
                    bytesize=settings.bytesize,
                    parity=settings.parity,
                    stopbits=settings.stopbits,
                    timeout=cls._POLL_S,
                ),
            )
        except (OSError, ValueError) as exc:
            raise _open_problem(url, exc, settings) from exc
        return cls(port, name=url, settings=settings, timeout_s=timeout_s)

    # --- context manager and state

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the port; safe to call twice."""
        try:
            self._port.close()
        except _IO_ERRORS:
            pass  # the device is already gone: nothing left to close

    @property
    def is_open(self) -> bool:
        return bool(self._port.is_open)

    @property
    def name(self) -> str:
        """The port as it was given to :meth:`open` (a path or a URL)."""
        return self._name

    @property
    def settings(self) -> SerialSettings:
        return self._settings

    # --- commands

    def reset(self) -> str:
        """``@``: cancel whatever the balance is doing (it answers with its serial number, which is returned)."""
        answer = self._exchange("@", _SERIAL_ANSWERS, self._timeout_s)
        self._refuse(answer, "I4")
        self._serial_number = answer.match["text"]
        return self._serial_number

    def serial_number(self) -> str:
        """``I4``: the balance's serial number; every later :class:`Reading` carries it."""
        answer = self._exchange("I4", _SERIAL_ANSWERS, self._timeout_s)
        self._refuse(answer, "I4")
        self._serial_number = answer.match["text"]
        return self._serial_number

    def balance_data(self) -> str:
        """``I2``: the balance's type and capacity as it words them, e.g. ``XS204 Excellence 220.0090 g``."""
        answer = self._exchange("I2", _DATA_ANSWERS, self._timeout_s)
        self._refuse(answer, "I2")
        return answer.match["text"].replace('"', "").strip()

    def read_stable(self, timeout_s: float = 10.0) -> Reading:
        """``S``: the next stable net weight. Asks again while the balance answers "not stable yet" (``S I``),
        until ``timeout_s``; then raises a :class:`BalanceError` saying to keep the balance still."""
        answer = self._until_settled("S", _WEIGHT_ANSWERS, timeout_s, settled={"S"})
        if answer.status in ("I", "D"):
            raise BalanceError(
                f"no stable weight within {_seconds(timeout_s)} s: keep the balance still and try again", "not_stable"
            )
        return self._weight(answer)

    def read_immediate(self) -> Reading:
        """``SI``: the net weight now, stable or not (``Reading.stable`` says which)."""
        answer = self._exchange("SI", _WEIGHT_ANSWERS, self._timeout_s)
        if answer.status == "I":
            raise BalanceError("the balance cannot send a weight now (it is busy): wait a moment and try again", "busy")
        return self._weight(answer)

    def zero(self, timeout_s: float = 10.0) -> None:
        """``Z``: set zero once the weight is stable (this also clears the tare)."""
        answer = self._until_settled("Z", _ZERO_ANSWERS, timeout_s, settled={"A"})
        if answer.status == "I":
            raise BalanceError(
                f"the balance could not zero within {_seconds(timeout_s)} s (not stable or busy): "
                "keep it still and try again",
                "not_stable",
            )
        if answer.status == "+":
            raise BalanceError(
                "the balance cannot zero: the load is above its zero-setting range (take the load off and try again)",
                "out_of_range",
            )
        if answer.status == "-":
            raise BalanceError(
                "the balance cannot zero: the load is below its zero-setting range (check that the "
                "weighing pan is in place)",
                "out_of_range",
            )
        self._refuse(answer, "Z")

    def tare(self, timeout_s: float = 10.0) -> Reading:
        """``T``: store the stable weight on the pan as the tare; returns that tare weight."""
        answer = self._until_settled("T", _TARE_ANSWERS, timeout_s, settled={"S"})
        if answer.status == "I":
            raise BalanceError(
                f"the balance could not tare within {_seconds(timeout_s)} s (not stable or busy): "
                "keep it still and try again",
                "not_stable",
            )
        if answer.status == "+":
            raise BalanceError(
                "the balance cannot tare: the load is above its taring range (use a lighter container)", "out_of_range"
            )
        if answer.status == "-":
            raise BalanceError(
                "the balance cannot tare: the load is below its taring range (check that the weighing pan is in place)",
                "out_of_range",
            )
        self._refuse(answer, "T")
        return self._value(answer, stable=True)

    def tare_value(self) -> Reading:
        """``TA``: the weight in the tare memory (``0.00 g`` when none is stored)."""
        answer = self._exchange("TA", _TARE_VALUE_ANSWERS, self._timeout_s)
        self._refuse(answer, "TA")
        return self._value(answer, stable=True)

    def clear_tare(self) -> None:
        """``TAC``: empty the tare memory."""
        answer = self._exchange("TAC", _CLEAR_TARE_ANSWERS, self._timeout_s)
        self._refuse(answer, "TAC")

    # --- answers

    def _weight(self, answer: _Answer) -> Reading:
        if answer.status == "+":
            raise BalanceError("the balance reports an overload (weight above its capacity)", "overload")
        if answer.status == "-":
            raise BalanceError(
                "the balance reports an underload (weight below its range: check that the weighing pan is in place)",
                "underload",
            )
        if answer.status == "L":
            raise self._logical()
        if answer.match.groupdict().get("code"):
            raise BalanceError(
                f"the balance reports an internal error ({answer.match['code']}) instead of a "
                "weight: restart it, and call service if it stays",
                "device_error",
            )
        return self._value(answer, stable=answer.status == "S")

    def _value(self, answer: _Answer, *, stable: bool) -> Reading:
        return Reading(
            value=Decimal(answer.match["value"]),
            unit=answer.match["unit"],
            stable=stable,
            raw=answer.text,
            serial_number=self._serial_number,
        )

    def _refuse(self, answer: _Answer, command: str) -> None:
        """The statuses every command shares: I (cannot now) and L (logical error)."""
        if answer.status == "I":
            raise BalanceError(
                f"the balance cannot carry out {command} now (it is busy): wait a moment and try again", "busy"
            )
        if answer.status == "L":
            raise self._logical()

    @staticmethod
    def _logical() -> BalanceError:
        return BalanceError(
            "the balance refused the command (EL): check that it is switched on and showing the weight, not a menu",
            "logical_error",
        )

    # --- one command, one answer

    def _until_settled(
        self, command: str, patterns: Sequence[re.Pattern[str]], timeout_s: float, *, settled: set[str]
    ) -> _Answer:
        """Send ``command`` until its answer is not "I" (not stable yet, busy) or ``timeout_s`` runs out;
        returns the last answer (status "I" when the time ran out)."""
        deadline = time.monotonic() + timeout_s
        answered: _Answer | None = None
        while True:
            remaining = deadline - time.monotonic()
            try:
                answer = self._exchange(command, patterns, max(remaining, self._POLL_S), timeout_s)
            except BalanceError as exc:
                if answered is not None and exc.kind == "no_answer":
                    return answered  # it answered "I" before: it is still waiting for a stable weight
                raise
            if answer.status in settled or answer.status not in ("I", "D"):
                return answer
            answered = answer
            remaining = deadline - time.monotonic()
            if remaining <= self._RETRY_PAUSE_S:
                return answered
            time.sleep(self._RETRY_PAUSE_S)

    def _exchange(
        self, command: str, patterns: Sequence[re.Pattern[str]], wait_s: float, reported_s: float | None = None
    ) -> _Answer:
        """Flush what came before, send ``command``, and return the first line that answers it."""
        self._send(command)
        deadline = time.monotonic() + wait_s
        unrecognised: str | None = None
        while (raw := self._read_line(deadline)) is not None:
            text = _clean(raw)
            if not text:
                continue  # a stray blank line
            for pattern in patterns:
                match = pattern.search(text)
                if match:
                    return _Answer(status=match["status"], match=match, text=match.group(0))
            general = _GENERAL_ERROR.search(text)
            if general:
                raise self._general_error(general["code"])
            unrecognised = text  # garbage: keep reading until the deadline
        if unrecognised is not None:
            shown = unrecognised if len(unrecognised) <= 40 else unrecognised[:37] + "..."
            raise BalanceError(
                f"the balance on {self._name} answered {shown!r}, which is not MT-SICS: check the "
                f"port settings ({self._settings.describe()}) and that its interface is set to "
                "MT-SICS",
                "not_mtsics",
            )
        raise BalanceError(
            f"no answer from the balance on {self._name} within "
            f"{_seconds(wait_s if reported_s is None else reported_s)} s: check the cable and the "
            f"port settings ({self._settings.describe()})",
            "no_answer",
        )

    def _general_error(self, code: str) -> BalanceError:
        if code == "ES":
            return BalanceError("the balance did not understand the command (ES)", "syntax_error")
        if code == "ET":
            return BalanceError(
                "the balance received a garbled command (ET): check the cable and the port "
                f"settings ({self._settings.describe()})",
                "transmission_error",
            )
        return self._logical()

    def _send(self, command: str) -> None:
        try:
            self._port.reset_input_buffer()
            self._buffer.clear()
            self._port.write(command.encode("ascii") + self._eol)
            self._port.flush()
        except _IO_ERRORS as exc:
            raise self._lost(exc) from exc

    def _read_line(self, deadline: float) -> bytes | None:
        """The next line (without its ending), or None once ``deadline`` has passed."""
        end = self._eol[-1:]  # split on the last byte of the ending; the others are dropped by _clean
        while True:
            index = self._buffer.find(end)
            if index >= 0:
                line = bytes(self._buffer[:index])
                del self._buffer[: index + 1]
                return line
            if time.monotonic() >= deadline:
                return None
            try:
                chunk = self._port.read(max(1, self._port.in_waiting))
            except _IO_ERRORS as exc:
                raise self._lost(exc) from exc
            self._buffer.extend(chunk)

    def _lost(self, exc: BaseException) -> BalanceError:
        if isinstance(exc, serial.PortNotOpenError) or not self._port.is_open:
            return BalanceError(
                f"the connection to the balance on {self._name} is closed: open it again", "connection_lost"
            )
        return BalanceError(
            f"the connection to the balance on {self._name} was lost: check the cable, then open the port again",
            "connection_lost",
        )

"""A simulated Mettler Toledo balance that serves MT-SICS on a pseudo-terminal.

For demonstrations, for running the app without a balance, and for the tests: ``SimulatedBalance`` opens a
pty, answers MT-SICS commands on its master side from a background thread, and exposes the slave side's
path as :attr:`SimulatedBalance.port`, so ``MtSicsBalance.open(sim.port)`` talks to it like to a real
balance on ``/dev/ttyUSB0`` (the baud rate does not matter on a pty).

What it simulates (all can be changed while it serves):

- a load (``set_weight``) in a unit, reported with the digits it was given (``161.70`` stays ``161.70``);
- settling: the next ``unstable_requests`` weight requests see a moving load (``SI`` answers ``S D`` with a
  drifting value; ``S``, ``Z`` and ``T`` wait ``stable_delay_s`` as a real balance waits for stability, and
  answer ``S I`` / ``Z I`` / ``T I`` unless the load settled during that wait); ``never_stable`` keeps it
  moving;
- ``state``: ``"overload"`` (also when the load is above ``capacity``) or ``"underload"``;
- zero and tare: ``Z`` takes the load as the new zero and clears the tare, ``T`` stores the load as tare;
  the net weight reported is load - zero - tare;
- ``mode``: ``"silent"`` (reads commands, never answers) or ``"garbage"`` (noise, a blank line and NULs
  before each valid answer);
- ``unsupported`` commands answer ``ES``; ``fail_next("ET")`` answers the next command(s) with given lines.

Run ``python -m labelapp.instruments.simulator --weight 161.70 --unit g``: it prints the pty path and serves
until Ctrl+C.
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import sys
import threading
import tty
from collections import deque
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from types import FrameType, TracebackType
from typing import Literal, Self

__all__ = ["SimulatedBalance", "main"]

State = Literal["normal", "overload", "underload"]
Mode = Literal["normal", "silent", "garbage"]

_NOISE = b"\x00\xff#~\x13!\r\n\r\n\x00\x00?"  # a garbage line, a blank line, then NULs and junk before the answer


def _decimal(value: Decimal | str | int) -> Decimal:
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"not a number: {value!r}")
    return result


class SimulatedBalance:
    """An MT-SICS balance on a pseudo-terminal. Use as a context manager, or ``start()`` and ``stop()``."""

    def __init__(
        self,
        weight: Decimal | str | int = "0.00",
        unit: str = "g",
        *,
        serial_number: str = "SIM0000001",
        capacity: Decimal | str | int = "220.00",
        unstable_requests: int = 0,
        never_stable: bool = False,
        stable_delay_s: float = 0.2,
        state: State = "normal",
        mode: Mode = "normal",
        unsupported: Iterable[str] = (),
        model: str = "Simulated MT-SICS balance",
    ):
        self._lock = threading.Lock()
        self._load = _decimal(weight)
        self._places = max(0, -int(self._load.as_tuple().exponent))
        self.unit = unit
        self.serial_number = serial_number
        self.capacity = _decimal(capacity)
        self.model = model
        self.unstable_requests = unstable_requests
        self.never_stable = never_stable
        self.stable_delay_s = stable_delay_s
        self.state: State = state
        self.mode: Mode = mode
        self.unsupported = frozenset(unsupported)
        self._zero = Decimal(0)
        self._tare = Decimal(0)
        self._scripted: deque[str] = deque()
        self.received: list[str] = []  # every command, in order (for tests and demonstrations)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._master = -1
        self._slave = -1
        self._wake_r = -1
        self._wake_w = -1
        self._port = ""

    # --- life cycle

    @property
    def port(self) -> str:
        """The pty path to open, e.g. ``/dev/pts/3`` (empty until started)."""
        return self._port

    def start(self) -> Self:
        if self._thread is not None:
            return self
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no line editing: bytes pass as a serial line passes them
        self._port = os.ttyname(self._slave)
        # The slave stays open here too, so a client can close and reopen the port without hanging up the pty.
        self._wake_r, self._wake_w = os.pipe()
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name=f"SimulatedBalance {self._port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the pty (a client still connected sees the connection go)."""
        if self._thread is None:
            return
        self._stop.set()
        os.write(self._wake_w, b"x")
        self._thread.join(timeout=10)
        self._thread = None
        for fd in (self._master, self._slave, self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass
        self._master = self._slave = self._wake_r = self._wake_w = -1

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- the script

    def set_weight(self, weight: Decimal | str | int, *, unstable_requests: int = 0) -> None:
        """Put a new load on the pan (digits kept as given); it settles after ``unstable_requests`` requests."""
        value = _decimal(weight)
        with self._lock:
            self._load = value
            self._places = max(0, -int(value.as_tuple().exponent))
            self.unstable_requests = unstable_requests

    def fail_next(self, *lines: str) -> None:
        """Answer the next commands with these lines (one each), e.g. ``fail_next("ET")`` or ``"EL"``."""
        with self._lock:
            self._scripted.extend(lines)

    @property
    def net(self) -> Decimal:
        """What the balance would report as the stable net weight now."""
        with self._lock:
            return self._net_now()

    # --- serving

    def _serve(self) -> None:
        pending = bytearray()
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._master, self._wake_r], [], [], 1.0)
            except (OSError, ValueError):
                return
            if self._wake_r in ready or self._stop.is_set():
                return
            if self._master not in ready:
                continue
            try:
                chunk = os.read(self._master, 1024)
            except OSError:
                return
            if not chunk:
                return
            pending.extend(chunk)
            while (index := pending.find(b"\n")) >= 0:
                command = bytes(pending[:index]).decode("latin-1").strip("\r\x00 ")
                del pending[: index + 1]
                if command:
                    self._answer(command)

    def _answer(self, command: str) -> None:
        self.received.append(command)
        if self.mode == "silent":
            return
        response = self._respond(command)
        if response is None or self._stop.is_set():
            return
        data = response.encode("latin-1") + b"\r\n"
        if self.mode == "garbage":
            data = _NOISE + data
        try:
            os.write(self._master, data)
        except OSError:
            pass  # the pty is closing

    def _respond(self, command: str) -> str | None:
        name = command.split(" ", 1)[0]
        with self._lock:
            if self._scripted:
                return self._scripted.popleft()
        if name in self.unsupported:
            return "ES"
        handler = {
            "@": self._reset,
            "I4": self._identify,
            "I2": self._data,
            "S": self._stable,
            "SI": self._immediate,
            "Z": self._zero_now,
            "T": self._tare_now,
            "TA": self._tare_value,
            "TAC": self._clear_tare,
        }.get(command)  # the whole command: parameters (e.g. "TA 10.0 g", preset tare) are not simulated
        return handler() if handler is not None else "ES"

    def _reset(self) -> str:
        with self._lock:
            self._scripted.clear()
            self.unstable_requests = 0
        return f'I4 A "{self.serial_number}"'

    def _identify(self) -> str:
        return f'I4 A "{self.serial_number}"'

    def _data(self) -> str:
        return f'I2 A "{self.model} {self.capacity} {self.unit}"'

    def _range(self) -> str | None:
        with self._lock:
            if self.state == "overload" or self._load > self.capacity:
                return "+"
            if self.state == "underload":
                return "-"
        return None

    def _settles(self) -> bool:
        """A command that needs a stable load: wait as a balance waits; True if the load is stable by then."""
        with self._lock:
            if not self.never_stable and self.unstable_requests <= 0:
                return True
        self._stop.wait(self.stable_delay_s)
        with self._lock:
            if self.never_stable:
                return False
            self.unstable_requests -= 1
            return self.unstable_requests <= 0

    def _stable(self) -> str:
        if (limit := self._range()) is not None:
            return f"S {limit}"
        if not self._settles():
            return "S I"
        with self._lock:
            return self._weight_line("S", self._net_now())

    def _immediate(self) -> str:
        if (limit := self._range()) is not None:
            return f"S {limit}"
        with self._lock:
            net = self._net_now()
            if self.never_stable or self.unstable_requests > 0:
                drift = Decimal(max(self.unstable_requests, 1) * 3).scaleb(-self._places)
                self.unstable_requests -= 1
                return self._weight_line("D", net + drift)
            return self._weight_line("S", net)

    def _zero_now(self) -> str:
        if (limit := self._range()) is not None:
            return f"Z {limit}"
        if not self._settles():
            return "Z I"
        with self._lock:
            self._zero = self._load
            self._tare = Decimal(0)
        return "Z A"

    def _tare_now(self) -> str:
        if (limit := self._range()) is not None:
            return f"T {limit}"
        if not self._settles():
            return "T I"
        with self._lock:
            self._tare = self._load - self._zero
            return f"T S {self._fixed(self._tare):>10} {self.unit}"

    def _tare_value(self) -> str:
        with self._lock:
            return f"TA A {self._fixed(self._tare):>10} {self.unit}"

    def _clear_tare(self) -> str:
        with self._lock:
            self._tare = Decimal(0)
        return "TAC A"

    # Callers hold the lock.

    def _net_now(self) -> Decimal:
        return self._load - self._zero - self._tare

    def _fixed(self, value: Decimal) -> str:
        return f"{value:.{self._places}f}"

    def _weight_line(self, status: str, value: Decimal) -> str:
        return f"S {status} {self._fixed(value):>10} {self.unit}"


# --- command line ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m labelapp.instruments.simulator",
        description="Serve a simulated MT-SICS balance on a pseudo-terminal and print its path.",
    )
    parser.add_argument("--weight", default="0.00", help="the load on the pan, digits as reported (default 0.00)")
    parser.add_argument("--unit", default="g", help="the unit it is reported in (default g)")
    parser.add_argument("--serial-number", default="SIM0000001", help="what I4 answers")
    parser.add_argument("--capacity", default="220.00", help="above this load it reports an overload")
    parser.add_argument(
        "--unstable-requests", type=int, default=0, metavar="N", help="the first N weight requests see a moving load"
    )
    parser.add_argument("--never-stable", action="store_true", help="the load never settles")
    parser.add_argument("--state", choices=["normal", "overload", "underload"], default="normal")
    parser.add_argument("--mode", choices=["normal", "silent", "garbage"], default="normal")
    args = parser.parse_args(argv)
    try:
        sim = SimulatedBalance(
            args.weight,
            args.unit,
            serial_number=args.serial_number,
            capacity=args.capacity,
            unstable_requests=args.unstable_requests,
            never_stable=args.never_stable,
            state=args.state,
            mode=args.mode,
        )
    except ValueError as exc:
        parser.error(str(exc))
    done = threading.Event()

    def _finish(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _finish)
    with sim:
        print(sim.port, flush=True)
        print(
            f"simulated MT-SICS balance ({args.weight} {args.unit}) on {sim.port}: Ctrl+C to stop",
            file=sys.stderr,
            flush=True,
        )
        try:
            while not done.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

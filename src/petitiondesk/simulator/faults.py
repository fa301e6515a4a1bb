"""Faults the simulated site can inject: random ones from a spec string, targeted ones for tests."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

FAULT_KINDS = (
    "latency", "timeout", "drop", "403", "404", "410", "429", "500", "503",
    "truncated", "malformed", "html", "drift",
)
# Spec spellings accepted besides the bare kind: "error503=0.05" and "503=0.05" mean the same.
_ALIASES = {f"error{code}": code for code in ("403", "404", "410", "429", "500", "503")}


@dataclass
class Fault:
    """One fault to apply to one response."""

    kind: str
    params: dict = field(default_factory=dict)


@dataclass
class _Forced:
    kind: str
    path_contains: str | None
    times: int
    params: dict


def parse_spec(spec: str) -> tuple[float, dict[str, float]]:
    """`"latency=0.1,error503=0.05"` -> (latency seconds, {kind: probability})."""
    latency, chances = 0.0, {}
    for part in filter(None, (piece.strip() for piece in spec.split(","))):
        name, separator, value = part.partition("=")
        name = _ALIASES.get(name.strip().lower(), name.strip().lower())
        if not separator or name not in FAULT_KINDS:
            kinds = ", ".join(FAULT_KINDS)
            raise ValueError(f"bad fault {part!r}: expected KIND=NUMBER, KIND one of {kinds}")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"bad fault {part!r}: {value!r} is not a number") from None
        if name == "latency":
            if not 0 <= number < float("inf"):  # also refuses nan
                raise ValueError(f"bad fault {part!r}: latency is a number of seconds, 0 or more")
            latency = number
        elif not 0 <= number <= 1:
            raise ValueError(f"bad fault {part!r}: a probability is between 0 and 1")
        else:
            chances[name] = number
    return latency, chances


class FaultPlan:
    """Thread-safe. `latency` is added to every response; the chances pick at most one fault each."""

    def __init__(self, latency: float = 0.0, chances: dict[str, float] | None = None, seed: int = 0) -> None:
        self.latency = latency
        self.chances = dict(chances or {})
        self._forced: list[_Forced] = []
        self._random = random.Random(f"faults:{seed}")
        self._lock = threading.Lock()

    @classmethod
    def from_spec(cls, spec: str | FaultPlan | None, seed: int = 0) -> FaultPlan:
        if isinstance(spec, FaultPlan):
            return spec
        latency, chances = parse_spec(spec or "")
        return cls(latency, chances, seed)

    def force(self, kind: str, path_contains: str | None = None, times: int = 1, **params) -> None:
        """Apply `kind` to the next `times` requests whose path contains `path_contains`.

        Params by kind: latency/timeout `seconds`; 429/503 `retry_after`; html `status` (200 or 500);
        truncated `keep` (fraction of the body kept).
        """
        kind = _ALIASES.get(str(kind), str(kind))
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")
        with self._lock:
            self._forced.append(_Forced(kind, path_contains, times, params))

    def clear(self) -> None:
        with self._lock:
            self._forced.clear()
            self.chances.clear()
            self.latency = 0.0

    def pending(self) -> int:
        """How many forced faults are still waiting for a request."""
        with self._lock:
            return sum(forced.times for forced in self._forced)

    def pick(self, path: str) -> Fault | None:
        """The fault for this request, consuming a forced one first."""
        with self._lock:
            for forced in self._forced:
                if forced.path_contains is None or forced.path_contains in path:
                    forced.times -= 1
                    if forced.times <= 0:
                        self._forced.remove(forced)
                    return Fault(forced.kind, dict(forced.params))
            for kind, chance in self.chances.items():
                if chance and self._random.random() < chance:
                    return Fault(kind)
        return None

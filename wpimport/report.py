"""What an import did: counts of what it created and updated, what it left out and why, and
the replies it put in another place in their thread."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    drafted: list[tuple[str, str]] = field(default_factory=list)
    rethreaded: list[tuple[str, str]] = field(default_factory=list)

    def skip(self, what: str, why: str) -> None:
        self.skipped.append((what, why))

    def draft(self, what: str, why: str) -> None:
        self.drafted.append((what, why))

    def rethread(self, what: str, why: str) -> None:
        self.rethreaded.append((what, why))

    def lines(self) -> list[str]:
        kinds = sorted(set(self.created) | set(self.updated))
        lines = [
            f"{kind}: {self.created[kind]} new, {self.updated[kind]} updated" for kind in kinds
        ]
        if self.drafted:
            lines.append(f"Imported as drafts {len(self.drafted)} (published in WordPress):")
            lines += [f"  - {what}: {why}" for what, why in self.drafted]
        if self.rethreaded:
            lines.append(f"Replies whose parent did not come across {len(self.rethreaded)}:")
            lines += [f"  - {what}: {why}" for what, why in self.rethreaded]
        if self.skipped:
            lines.append(f"Skipped {len(self.skipped)}:")
            lines += [f"  - {what}: {why}" for what, why in self.skipped]
        return lines

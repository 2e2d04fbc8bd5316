"""The findings of a scan, kept on disk a file at a time, so memory does not grow with them.

CUTLASS gives 200,000 findings and a 100,000-file monorepo millions: as objects they took
about 500 bytes each, gigabytes in all. Here each file's findings are one compressed,
pickled block of rows (the form workers already send them in) in an unlinked temporary
file that only this process can reach; a few files' findings at a time are objects, the
rest are bytes on disk.

The store reads like a list of findings in their final order (file, line, column), so
renderers need not know. What the pipeline sets after the scan (price, priced unit,
baseline state) is kept beside the blocks, one small number per finding, and set again on
each finding as its block is read: write it back with `save` after changing it.
"""

from __future__ import annotations

import bisect
import itertools
import os
import pickle
import tempfile
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, overload

from migrate.errors import UserError
from migrate.model import ZERO, Finding, Hours, PricedUnit, Use

# Findings kept as objects (the first blocks read); about 700 bytes each.
KEEP_FINDINGS = 60_000

_new = tuple.__new__  # a Use from its row, without the argument parsing of Use(...)
Note = tuple[Hours, PricedUnit | None, str | None]  # price, unit, baseline state
_NO_NOTE: Note = (ZERO, None, None)


class SpoolError(UserError):
    """The temporary file that holds the findings cannot be written."""


def pack(findings: Iterable[Finding], in_order: bool = False) -> bytes:
    """One file's findings as a block: rows of plain values in their final order (already
    so with `in_order`). Runs in the worker, so the main process only copies bytes."""
    ordered = findings if in_order else sorted(findings, key=Finding.sort_key)
    return pack_rows(tuple((tuple(f.use), f.entry, f.rule, f.fingerprint, f.vendored,
                            f.matched_by, f.suppression, f.other_vendor) for f in ordered))


def pack_rows(rows: Sequence[tuple[Any, ...]]) -> bytes:
    """A block of rows (use values, mapping row, rule, fingerprint, vendored, matched by,
    suppression, another vendor's) in their final order: what `pack` makes of findings,
    and a cache hit of its stored rows."""
    # Compressed: rows repeat their file, names and line text (49 bytes a finding on CUTLASS).
    # A 4 KB window finds those repeats as well (a block's rows are short) and costs a
    # quarter less time than zlib's 32 KB; `zlib.decompress` reads any window size.
    packer = zlib.compressobj(1, zlib.DEFLATED, 12)
    return packer.compress(pickle.dumps(tuple(rows), protocol=pickle.HIGHEST_PROTOCOL)) + \
        packer.flush()


def pack_summary(summary: object) -> bytes:
    """A block's summary as the store keeps it (b"" for none). Runs in the worker."""
    return b"" if summary is None else pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL)


def _objects(rows: tuple[tuple[Any, ...], ...]) -> list[Finding]:
    """A block's rows as findings. Unlike `findings_from_rows` nothing is interned: these
    objects live only while their block is in use. Mapping rows come out of the pickle as
    the process's shared ones (MappingEntry.__reduce__), as renderers cache by row."""
    return [Finding(_new(Use, use), entry, rule, fingerprint, vendored, matched_by,
                    suppression, None, ZERO, None, other)
            for use, entry, rule, fingerprint, vendored, matched_by, suppression, other in rows]


class FindingStore(Sequence[Finding]):
    """Findings by file, on disk. Fill with `add`, then `seal` once; then read and
    annotate. Blocks may be replaced (`replace`) only before any finding is annotated."""

    def __init__(self, keep: int | None = None) -> None:
        self._keep = KEEP_FINDINGS if keep is None else keep
        self._spool: IO[bytes] | None = None
        self._end = 0
        # Per block, in parallel: its file, where it sits in the spool, its size and
        # how many findings it holds (arrays: a tuple per file cost 150 bytes).
        self._files: list[str] = []
        self._offsets: array[int] = array("q")
        self._sizes: array[int] = array("q")
        self._counts: array[int] = array("q")
        self._starts: array[int] = array("q")
        # Each block's summary, where the worker gave one (offset, size; size 0: none).
        self._summary_offsets: array[int] = array("q")
        self._summary_sizes: array[int] = array("q")
        self._sealed = False
        self._notes: array[int] = array("B")
        self._note_table: list[Note] = [_NO_NOTE]
        self._note_ids: dict[tuple[int, int, str | None], int] = {}
        self._objects: dict[int, list[Finding]] = {}
        self._held = 0  # findings in the kept blocks
        self._latest = -1  # the one block kept beyond the budget
        # What a reader computed from all findings (counts), so that it is read once:
        # emptied whenever a finding changes.
        self.memo: dict[str, Any] = {}

    # Filling ---------------------------------------------------------------------------
    def add(self, file: str, findings: Sequence[Finding], summary: object = None) -> None:
        if findings:
            self.add_block(file, pack(findings), len(findings), pack_summary(summary))

    def add_block(self, file: str, block: bytes, count: int, summary: bytes = b"") -> None:
        """A block `pack` made of `count` findings of `file` (one block per file), with
        what a pass over them would sum up (`pack_summary`), if anything."""
        if self._sealed:
            raise RuntimeError("the store is sealed")
        if count:
            self._files.append(file)
            self._offsets.append(self._write(block))
            self._sizes.append(len(block))
            self._counts.append(count)
            self._summary_offsets.append(self._write(summary) if summary else 0)
            self._summary_sizes.append(len(summary))

    def seal(self) -> None:
        """Puts the blocks in file order: the findings' final order."""
        order = sorted(range(len(self._files)), key=self._files.__getitem__)
        self._files = [self._files[i] for i in order]
        for name in ("_offsets", "_sizes", "_counts", "_summary_offsets", "_summary_sizes"):
            values = getattr(self, name)
            setattr(self, name, array("q", (values[i] for i in order)))
        self._sealed = True
        self._restart()

    def replace_blocks(self, blocks: Iterable[tuple[int, bytes, int, bytes]]) -> None:
        """Each block `index` of `blocks` is `block` from now on (`pack` of its `count`
        findings) with `summary` (`pack_summary`): fewer findings, after the whole scan
        showed some to be the repository's own names. Packed by the caller, who may be a
        forked copy. All at once: the store's bookkeeping, a pass over every finding, is
        redone once."""
        if any(self._notes):
            raise RuntimeError("findings were annotated already")
        for index, block, count, summary in blocks:
            self._offsets[index] = self._write(block)
            self._sizes[index] = len(block)
            self._counts[index] = count
            self._summary_offsets[index] = self._write(summary) if summary else 0
            self._summary_sizes[index] = len(summary)
        self._objects.clear()
        self._held = 0
        self._latest = -1
        self.memo.clear()
        self._restart()

    # Reading ---------------------------------------------------------------------------
    def files(self) -> list[str]:
        return list(self._files)

    def block(self, index: int, keep: bool = True) -> list[Finding]:
        """The findings of block `index` (one file), as objects with their notes set; kept
        for the next reader unless `keep` is false (a reader that passes once)."""
        found = self._objects.get(index)
        if found is not None:
            return found
        offset, size, count = self._offsets[index], self._sizes[index], self._counts[index]
        findings = _objects(pickle.loads(zlib.decompress(self._read(offset, size))))
        start = self._starts[index]
        table = self._note_table
        for i, note_id in enumerate(self._notes[start:start + count]):
            if note_id:
                finding = findings[i]
                finding.price, finding.unit, finding.baseline_state = table[note_id]
        if not keep:
            return findings
        # Readers mostly walk all findings in order, where evicting the oldest block
        # would evict every block before its next use: the first blocks read stay, up
        # to the budget, and of the rest only the latest one (for a reader going back).
        if self._held + count > self._keep:
            self._objects.pop(self._latest, None)
            self._latest = index
        else:
            self._held += count
        self._objects[index] = findings
        return findings

    def summary(self, index: int) -> Any:
        """What the worker summed of block `index`'s findings, or None."""
        size = self._summary_sizes[index]
        if not size:
            return None
        return pickle.loads(self._read(self._summary_offsets[index], size))

    def per_file(self) -> Iterator[tuple[int, list[Finding]]]:
        """(block index, the file's findings), in file order."""
        for index in range(len(self._files)):
            yield index, self.block(index)

    def between(self, start: int, stop: int) -> Iterator[Finding]:
        """Findings `start` to `stop` (excluded) in order, read a block at a time."""
        if start >= stop:
            return
        first = bisect.bisect_right(self._starts, start) - 1
        for index in range(first, len(self._files)):
            offset = self._starts[index]
            if offset >= stop:
                return
            yield from itertools.islice(self.block(index), max(0, start - offset),
                                        stop - offset)

    def save(self, index: int, findings: Sequence[Finding]) -> None:
        """Keeps the price, unit and baseline state of block `index`'s findings (as
        `block(index)` returned them) for every later read."""
        self._save_notes(index, ((f.price, f.unit, f.baseline_state) for f in findings))

    def save_prices(self, index: int, prices: Sequence[tuple[Hours, PricedUnit]]) -> None:
        """Gives block `index`'s findings these prices and units, in order, for every
        later read, without reading them (their baseline states stay)."""
        start = self._starts[index]
        table, notes = self._note_table, self._notes
        self._save_notes(index, ((price, unit, table[notes[start + i]][2])
                                 for i, (price, unit) in enumerate(prices)))
        held = self._objects.get(index)
        if held is not None:  # objects read before: they show the prices too
            for finding, (price, unit) in zip(held, prices, strict=True):
                finding.price, finding.unit = price, unit

    def baseline_states(self, index: int) -> Counter[str | None]:
        """How many of block `index`'s findings are in each baseline state."""
        start = self._starts[index]
        table = self._note_table
        return Counter(table[note][2] for note in self._notes[start:start + self._counts[index]])

    def _save_notes(self, index: int, notes: Iterable[Note]) -> None:
        self.memo.clear()
        start = self._starts[index]
        ids = self._note_ids
        table = self._note_table
        for i, (price, unit, state) in enumerate(notes):
            key = (id(price), id(unit), state)
            note_id = ids.get(key)
            if note_id is None:
                if price is ZERO and unit is None and state is None:
                    note_id = 0
                else:
                    note_id = ids[key] = len(table)
                    table.append((price, unit, state))
                    self._widen(note_id)
            self._notes[start + i] = note_id

    def findings_held(self) -> int:
        """How many findings are objects in memory now (the budget, plus one block)."""
        return sum(len(found) for found in self._objects.values())

    def __len__(self) -> int:
        return self._starts[-1] if self._starts else 0

    def __iter__(self) -> Iterator[Finding]:
        for _, findings in self.per_file():
            yield from findings

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...

    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("finding index out of range")
        block = bisect.bisect_right(self._starts, index) - 1
        return self.block(block)[index - self._starts[block]]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other,
                                                                        strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (list(self),))

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    # Inside ----------------------------------------------------------------------------
    def _write(self, block: bytes) -> int:
        try:
            if self._spool is None:
                # Unlinked at once: nothing is left behind, whatever ends the process.
                self._spool = tempfile.TemporaryFile(prefix="supa-migrate-")  # noqa: SIM115
            self._spool.seek(self._end)
            self._spool.write(block)
        except OSError as exc:  # a full or read-only temporary folder
            raise SpoolError(f"cannot write the findings' temporary file in "
                             f"{tempfile.gettempdir()}: {exc.strerror or exc} (set TMPDIR "
                             "to a folder with room)") from exc
        offset, self._end = self._end, self._end + len(block)
        return offset

    def _read(self, offset: int, size: int) -> bytes:
        """`size` bytes of the spool at `offset`. With pread, a forked process reading the
        same spool (`report/parts.py`) never moves this one's file position."""
        assert self._spool is not None
        self._spool.flush()
        if hasattr(os, "pread"):
            return os.pread(self._spool.fileno(), size, offset)
        self._spool.seek(offset)
        return self._spool.read(size)

    def _widen(self, note_id: int) -> None:
        """A byte per finding holds 255 distinct notes; most scans need fewer."""
        if note_id >= 1 << (8 * self._notes.itemsize):
            self._notes = array("I" if self._notes.typecode == "H" else "H", self._notes)

    def _restart(self) -> None:
        starts = array("q", [0])
        for count in self._counts:
            starts.append(starts[-1] + count)
        self._starts = starts
        self._notes = array("B", bytes(starts[-1]))  # widened as the note table grows

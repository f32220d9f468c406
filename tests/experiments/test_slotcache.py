"""SlotCache: any sequence of admits, releases, steps and trims keeps each row's own cache."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

import torch  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from transformers import DynamicCache  # noqa: E402

from edgejson.slotcache import GROW_COLUMNS, SlotCache  # noqa: E402

pytestmark = pytest.mark.ml

LAYERS, HEADS, DIM, SLOTS = 2, 3, 4, 4


class Model:
    """What each live row's cache must hold: its own columns, oldest first."""

    def __init__(self) -> None:
        self.cache = SlotCache(LAYERS, SLOTS)
        self.rows: list[list[torch.Tensor]] = []  # per slot: per layer [heads, t, dim]
        self.serial = 0

    def _fresh(self, length: int) -> torch.Tensor:
        self.serial += 1
        # Distinct, non-zero values, so a misplaced or zeroed column shows.
        base = torch.arange(1, 1 + HEADS * length * DIM, dtype=torch.float32)
        return (base + 1000 * self.serial).reshape(1, HEADS, length, DIM)

    def admit(self, length: int) -> None:
        """Admit a prompt of `length` tokens as the engine does; its keys become the
        expected row."""
        prompt = DynamicCache()
        keys = []
        for layer in range(LAYERS):
            k = self._fresh(length)
            prompt.update(k, -k, layer)
            keys.append(k[0])
        assert self.cache.admit(prompt) == len(self.rows)
        self.rows.append(keys)

    def release(self, slot: int) -> None:
        """Release a slot as the engine does; the expected rows move the same way."""
        moved = self.cache.release(slot)
        if moved is not None:
            self.rows[slot] = self.rows[moved]
        self.rows.pop()

    def step(self) -> None:
        """What a forward pass does: every layer gets one new column for every live row."""
        for layer_idx, layer in enumerate(self.cache.layers):
            new = self._fresh(1).expand(len(self.rows), HEADS, 1, DIM).clone()
            new += torch.arange(len(self.rows)).reshape(-1, 1, 1, 1) * 0.5
            keys, values = layer.update(new, -new)
            assert keys.shape[2] == self.cache.length and torch.equal(values, -keys)
            for slot, row in enumerate(self.rows):
                row[layer_idx] = torch.cat([row[layer_idx], new[slot]], dim=1)

    def trim_shared_padding(self) -> None:
        """Trim the left padding every live row shares (what the longest row leaves)."""
        # Padding shared by every row: what the longest row leaves.
        longest = max((row[0].shape[1] for row in self.rows), default=0)
        self.cache.trim(self.cache.length - longest)

    def check(self) -> None:
        """The cache's live view equals the expected rows, column for column."""
        assert self.cache.rows == len(self.rows)
        if not self.cache.layers[0].is_initialized:  # nothing admitted yet
            assert not self.rows
            return
        length = self.cache.length
        for layer_idx, layer in enumerate(self.cache.layers):
            assert layer.keys.shape[:3] == (len(self.rows), HEADS, length)
            for slot, row in enumerate(self.rows):
                own = row[layer_idx]
                t = own.shape[1]
                assert torch.equal(layer.keys[slot, :, length - t:], own)
                assert torch.equal(layer.values[slot, :, length - t:], -own)
                assert not layer.keys[slot, :, : length - t].any()  # padding is zeros
                assert not layer.values[slot, :, : length - t].any()


operations = st.lists(st.one_of(
    st.tuples(st.just("admit"), st.integers(1, GROW_COLUMNS + 40)),
    st.tuples(st.just("release"), st.integers(0, SLOTS - 1)),
    st.tuples(st.just("step"), st.integers(1, 3)),
    st.tuples(st.just("trim"), st.just(0)),
), max_size=25)


@settings(max_examples=60, deadline=None)
@given(operations)
def test_every_row_keeps_its_own_columns(ops: list[tuple[str, int]]) -> None:
    model = Model()
    for op, arg in ops:
        if op == "admit" and len(model.rows) < SLOTS:
            model.admit(arg)
        elif op == "release" and model.rows:
            model.release(arg % len(model.rows))
        elif op == "step" and model.rows:
            for _ in range(arg):
                model.step()
        elif op == "trim":
            model.trim_shared_padding()
        model.check()


def test_a_full_cache_refuses_another_row() -> None:
    model = Model()
    for length in (3, 5, 2, 7):
        model.admit(length)
    with pytest.raises(RuntimeError, match="all 4 slots are taken"):
        model.admit(1)
    model.check()


def test_a_longer_prompt_shifts_the_rows_already_there() -> None:
    model = Model()
    model.admit(2)
    model.step()
    model.admit(GROW_COLUMNS + 10)  # longer than the buffer and than row 0
    assert model.cache.length == GROW_COLUMNS + 10
    model.check()

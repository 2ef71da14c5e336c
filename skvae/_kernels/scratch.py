"""Reusable memory for the training step's (rows, features) tensors.

A batch of 512 rows over 29k features is 60 MB in float32.  glibc's malloc
serves blocks over 32 MB with a fresh ``mmap`` and unmaps them when freed, so
the kernel zeroes their pages again on first touch: with a new tensor for
every such product, page faults took half of a word-vector epoch (3.4 million
per epoch at 29k features and 512 rows).  The decoder's product in training
(:class:`ScratchLinear`) and the multinomial's softmax and gradient
(which it writes over eta) use buffers that live as long as the network.
"""

from __future__ import annotations

import torch


class ScratchBuffers:
    """Named tensors reused from one training step to the next.

    A buffer is handed out again by the next :meth:`get` of its name, so its
    contents must be consumed by then (within one step).  Never pickled or
    copied: a copy starts empty.
    """

    def __init__(self):
        self._buffers: dict[str, torch.Tensor] = {}

    def get(self, name: str, shape, dtype: torch.dtype, device) -> torch.Tensor:
        """An uninitialised tensor of this shape, dtype and device."""
        buffer = self._buffers.get(name)
        shape = torch.Size(shape)
        if (
            buffer is None
            or buffer.shape != shape
            or buffer.dtype != dtype
            or buffer.device != torch.device(device)
        ):
            buffer = torch.empty(shape, dtype=dtype, device=device)
            self._buffers[name] = buffer
        return buffer

    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        self._buffers = {}

    def __deepcopy__(self, memo):
        return ScratchBuffers()


def decoder_product(
    r: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    dtype: torch.dtype,
    scratch: ScratchBuffers,
) -> torch.Tensor:
    """``r @ weight.T + bias`` for a training step, its inputs in ``dtype``
    (:class:`ScratchLinear`); valid until the next call with ``scratch``."""
    return ScratchLinear.apply(r, weight, bias, dtype, scratch)


class ScratchLinear(torch.autograd.Function):
    """``r @ weight.T + bias`` with the product's inputs in ``dtype``, into buffers.

    In float32 the same operations as ``F.linear(r, weight, bias)`` under
    autograd.  In a lower precision (bfloat16) the product is accumulated in
    float32 by the kernels and stored in ``dtype``, and the bias
    (log-frequencies, about -10) is added in the result type of bias and
    product, where bfloat16 would round it by 0.06: the operations of
    ``torch.add(bias, F.linear(r.to(dtype), weight.to(dtype)))``.  Either way
    eta lives in ``scratch``'s buffers: it is valid until the next call with
    the same scratch.
    """

    @staticmethod
    def forward(ctx, r, weight, bias, dtype, scratch):
        shape = (r.shape[0], weight.shape[0])
        ctx.scratch, ctx.dtypes = scratch, (r.dtype, weight.dtype)
        ctx.has_bias = bias is not None
        if dtype == r.dtype:
            eta = scratch.get("eta", shape, r.dtype, r.device)
            if bias is None:
                torch.mm(r, weight.T, out=eta)
            else:
                torch.addmm(bias, r, weight.T, out=eta)
            ctx.save_for_backward(r, weight)
            return eta.detach()
        r_low = r.to(dtype)
        weight_low = scratch.get("weight", weight.shape, dtype, r.device)
        weight_low.copy_(weight)
        product = scratch.get("product", shape, dtype, r.device)
        torch.mm(r_low, weight_low.T, out=product)
        # A converting copy, then the bias in place: a mixed-dtype
        # torch.add(bias, product, out=eta) converts into a temporary as big
        # as eta (28 instead of 3 ms at 512 x 29k, and its page faults).
        result_type = r.dtype if bias is None else torch.result_type(bias, product)
        eta = scratch.get("eta", shape, result_type, r.device).copy_(product)
        if bias is not None:
            eta.add_(bias)
        ctx.save_for_backward(r_low, weight_low)
        # A new tensor object on the buffer, so autograd's history of one
        # step never attaches to the buffer itself.
        return eta.detach()

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        r_in, weight_in = ctx.saved_tensors
        r_dtype, weight_dtype = ctx.dtypes
        grad_bias = grad.sum(dim=0) if ctx.has_bias else None
        if r_in.dtype != grad.dtype:
            low = ctx.scratch.get("product", grad.shape, r_in.dtype, grad.device)
            grad = low.copy_(grad)
        grad_r = (grad @ weight_in).to(r_dtype)
        if weight_in.dtype == weight_dtype:
            grad_weight = grad.T @ r_in
        else:
            grad_low = ctx.scratch.get(
                "grad_weight", weight_in.shape, grad.dtype, grad.device
            )
            grad_weight = torch.mm(grad.T, r_in, out=grad_low).to(weight_dtype)
        return grad_r, grad_weight, grad_bias, None, None

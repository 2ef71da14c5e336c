"""Reusable memory for the training step's (rows, features) tensors.

A batch of 512 rows over 29k features is 60 MB in float32.  glibc's malloc
serves blocks over 32 MB with a fresh ``mmap`` and unmaps them when freed, so
the kernel zeroes their pages again on first touch: with a new tensor for
every such product, page faults took half of a word-vector epoch (3.4 million
per epoch at 29k features and 512 rows).  The decoder's low-precision product
(:class:`LowPrecisionLinear`) and the multinomial's softmax and gradient
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


class LowPrecisionLinear(torch.autograd.Function):
    """``r @ weight.T + bias`` with the product's inputs rounded to ``dtype``.

    The product is accumulated in float32 by the kernels and stored in
    ``dtype``; the bias (log-frequencies, about -10) is added in the result
    type of bias and product, where bfloat16 would round it by 0.06.  Same
    operations as ``torch.add(bias, F.linear(r.to(dtype), weight.to(dtype)))``
    under autograd, into ``scratch``'s buffers: the returned eta is valid
    until the next call with the same scratch.
    """

    @staticmethod
    def forward(ctx, r, weight, bias, dtype, scratch):
        r_low, weight_low = r.to(dtype), weight.to(dtype)
        shape = (r.shape[0], weight.shape[0])
        product = scratch.get("product", shape, dtype, r.device)
        torch.mm(r_low, weight_low.T, out=product)
        if bias is None:
            eta = scratch.get("eta", shape, r.dtype, r.device).copy_(product)
        else:
            result_type = torch.result_type(bias, product)
            eta = scratch.get("eta", shape, result_type, r.device)
            torch.add(bias, product, out=eta)
        ctx.save_for_backward(r_low, weight_low)
        ctx.scratch, ctx.dtypes = scratch, (r.dtype, weight.dtype)
        ctx.has_bias = bias is not None
        # A new tensor object on the buffer, so autograd's history of one
        # step never attaches to the buffer itself.
        return eta.detach()

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        r_low, weight_low = ctx.saved_tensors
        r_dtype, weight_dtype = ctx.dtypes
        grad_bias = grad.sum(dim=0) if ctx.has_bias else None
        grad_low = ctx.scratch.get("product", grad.shape, r_low.dtype, grad.device)
        grad_low.copy_(grad)
        grad_r = (grad_low @ weight_low).to(r_dtype)
        grad_weight = (grad_low.T @ r_low).to(weight_dtype)
        return grad_r, grad_weight, grad_bias, None, None

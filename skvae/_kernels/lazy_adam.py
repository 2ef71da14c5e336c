"""Adam that updates only the rows a sparse gradient holds (lazy Adam).

A minibatch of documents stores a few thousand of a vocabulary's tens of
thousands of terms, and the vocabulary-sized matrices get gradient only in
their rows (:func:`skvae._kernels.matmul` with ``sparse_grad`` gives the
encoder's first layer such a gradient).  Plain Adam still rewrites the whole
matrix and both its moments at every step; the rows a step did not touch only
decay their moments and move on by their momentum.

Lazy Adam (TensorFlow Addons' ``LazyAdam``, torch's ``SparseAdam``) updates
the touched rows only, but simply skips the others, which slows the learning
of rare terms: their second moment then averages only the steps that had a
gradient, not all steps, which cost the embeddings accuracy (the variant
log, docs/notes/2026-12-06-model-variants.md, "Lazy Adam").  This optimizer
instead catches a
row up when it is next touched, or before a dense gradient's step (which
touches every row): after k skipped steps its moments are decayed
by beta1^k and beta2^k, exactly as Adam would have, and the weight moves by
the k updates their decaying momentum would have made, summed in closed form
(with the current step's bias corrections and without eps, the only
approximations).  A row skipped since step s therefore ends where plain Adam
would have put it, up to those approximations (``tests/test_lazy_adam.py``).
"""

from __future__ import annotations

import torch
from torch.optim.adam import adam


class LazyAdam(torch.optim.Adam):
    """torch.optim.Adam for dense gradients, a row-wise update for sparse ones.

    The state of a parameter has Adam's keys (``step``, ``exp_avg``,
    ``exp_avg_sq``) and, once it had a sparse gradient, ``last_step``: the
    step at which each row was last brought up to date.  Options other than
    ``lr``, ``betas``, ``eps``, ``fused`` and ``foreach`` apply to dense
    gradients only; sparse gradients are refused with ``weight_decay``,
    ``amsgrad`` or ``maximize``.
    """

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        held = []
        for group in self.param_groups:
            for parameter in group["params"]:
                if parameter.grad is not None and parameter.grad.is_sparse:
                    self._sparse_step(parameter, group)
                    held.append((parameter, parameter.grad))
                    parameter.grad = None
                elif parameter.grad is not None:
                    self._bring_up_to_date(parameter, group)
        try:
            super().step()
        finally:
            for parameter, grad in held:
                parameter.grad = grad
        # A dense step brought every row up to date.
        for group in self.param_groups:
            for parameter in group["params"]:
                state = self.state.get(parameter, {})
                grad = parameter.grad
                if "last_step" in state and grad is not None and not grad.is_sparse:
                    state["last_step"].fill_(float(state["step"]))
        return loss

    def _sparse_step(self, parameter: torch.Tensor, group: dict) -> None:
        if group["weight_decay"] or group["amsgrad"] or group["maximize"]:
            raise ValueError(
                "LazyAdam takes sparse gradients only without weight_decay, "
                "amsgrad or maximize."
            )
        grad = parameter.grad
        if grad.sparse_dim() != 1:  # e.g. an element-wise sparse tensor
            grad = grad.to_dense().to_sparse(sparse_dim=1)
        rows = grad._indices()[0]
        # Autograd drops the coalesced flag of the gradients it accumulates;
        # rows already strictly increasing need no sort.
        if grad.is_coalesced() or bool((rows[1:] > rows[:-1]).all()):
            values = grad._values()
        else:
            grad = grad.coalesce()
            rows, values = grad.indices()[0], grad.values()
        state = self.state[parameter]
        if not state:
            # Where torch's Adam keeps it: on the device for the fused kernel.
            device = parameter.device if group["fused"] else "cpu"
            state["step"] = torch.zeros((), dtype=torch.float32, device=device)
            state["exp_avg"] = torch.zeros_like(parameter)
            state["exp_avg_sq"] = torch.zeros_like(parameter)
        if "last_step" not in state:
            last = torch.full((parameter.shape[0],), float(state["step"]))
            state["last_step"] = last.to(parameter.device)
        weight, exp_avg, exp_avg_sq = self._caught_up_rows(parameter, group, rows)
        beta1, beta2 = group["betas"]
        lr = float(group["lr"])
        now = float(state["step"]) + 1
        # Adam's own update of the rows (one fused kernel), then written back.
        adam(
            [weight],
            [values],
            [exp_avg],
            [exp_avg_sq],
            [],
            [state["step"]],
            amsgrad=False,
            beta1=beta1,
            beta2=beta2,
            lr=lr,
            weight_decay=0.0,
            eps=group["eps"],
            maximize=False,
            fused=group["fused"],
            foreach=group["foreach"],
        )
        self._write_rows(parameter, rows, (weight, exp_avg, exp_avg_sq))
        state["last_step"].index_fill_(0, rows, now)

    def _bring_up_to_date(self, parameter: torch.Tensor, group: dict) -> None:
        """Before a dense step: catch up the rows that row-wise steps skipped
        (a dense step moves every row by its own gradient only)."""
        state = self.state.get(parameter, {})
        if "last_step" not in state:
            return
        behind = torch.nonzero(state["last_step"] < float(state["step"])).squeeze(1)
        if len(behind):
            caught_up = self._caught_up_rows(parameter, group, behind)
            self._write_rows(parameter, behind, caught_up)

    def _caught_up_rows(self, parameter, group: dict, rows: torch.Tensor):
        """The weight's and moments' ``rows`` (gathered) as Adam would have
        left them after the steps since each row's last update."""
        state = self.state[parameter]
        # The rows are gathered into buffers kept from step to step instead of
        # fresh tensors of a few MB each, which the allocator hands back as
        # new pages at every step.
        weight, exp_avg, exp_avg_sq, *work = (
            self._row_buffer(parameter, name, len(rows))
            for name in ("weight", "exp_avg", "exp_avg_sq", "scale", "move")
        )
        sources = (parameter, state["exp_avg"], state["exp_avg_sq"])
        for source, target in zip(sources, (weight, exp_avg, exp_avg_sq), strict=True):
            torch.index_select(source, 0, rows, out=target)
        beta1, beta2 = group["betas"]
        now = float(state["step"]) + 1
        skipped = now - 1 - state["last_step"].index_select(0, rows)
        self._catch_up(
            weight,
            exp_avg,
            exp_avg_sq,
            work,
            skipped,
            now,
            beta1,
            beta2,
            float(group["lr"]),
        )
        return weight, exp_avg, exp_avg_sq

    def _write_rows(self, parameter, rows: torch.Tensor, values) -> None:
        """Write the weight's and moments' ``rows`` back."""
        state = self.state[parameter]
        targets = (parameter, state["exp_avg"], state["exp_avg_sq"])
        for target, rows_now in zip(targets, values, strict=True):
            target.index_copy_(0, rows, rows_now)

    def _row_buffer(self, parameter, name: str, n_rows: int) -> torch.Tensor:
        """An uninitialised (n_rows, ...) tensor shaped like ``parameter``'s
        rows, reused by the next step (not part of the optimizer's state)."""
        buffers = self.__dict__.setdefault("_row_buffers", {})
        key = (id(parameter), name)
        buffer = buffers.get(key)
        if (
            buffer is None
            or buffer.shape[0] < n_rows
            or buffer.shape[1:] != parameter.shape[1:]
            or buffer.dtype != parameter.dtype
            or buffer.device != parameter.device
        ):
            # Some headroom: the number of rows changes from step to step.
            capacity = min(parameter.shape[0], n_rows + n_rows // 4)
            buffer = parameter.new_empty((capacity, *parameter.shape[1:]))
            buffers[key] = buffer
        return buffer[:n_rows]

    @staticmethod
    def _catch_up(weight, exp_avg, exp_avg_sq, work, skipped, now, beta1, beta2, lr):
        """The updates of the ``skipped`` steps with no gradient, in place
        (``work``: two scratch tensors of the rows' shape).

        At the i-th such step Adam's moments are beta1^i m and beta2^i v and
        the weight moves by lr m_hat / sqrt(v_hat) times rho^i, rho =
        beta1 / sqrt(beta2); the k steps sum to rho (1 - rho^k) / (1 - rho).
        """
        shape = (-1,) + (1,) * (weight.dim() - 1)
        skipped = skipped.to(weight.dtype).view(shape)
        rho = beta1 / beta2**0.5
        steps = rho * (1 - rho**skipped) / (1 - rho)
        correction1, correction2 = 1 - beta1**now, 1 - beta2**now
        # weight -= lr steps (m / c1) / max(sqrt(v / c2), 1e-30), with the
        # operations in the order of that expression.
        scale = torch.div(exp_avg_sq, correction2, out=work[0])
        scale.sqrt_().clamp_min_(1e-30)
        move = torch.div(exp_avg, correction1, out=work[1]).div_(scale)
        weight.sub_(move.mul_(lr * steps))
        exp_avg.mul_(beta1**skipped)
        exp_avg_sq.mul_(beta2**skipped)

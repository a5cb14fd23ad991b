"""The recurrences the RNN suite times: vanilla (ReLU), LSTM and GRU, forward and backward-data.

Only the recurrent part runs here. The input projection W·x (plus biases) is computed once, before
timing, into `xw`; each step adds its slice, so the layer is driven as a real one is while the
timed GEMM work is exactly the recurrent one DeepBench counts: one (N x H)·(H x gH) product per step
forward and one (N x gH)·(gH x H) product per step backward, g = 1, 4, 3 for vanilla, LSTM, GRU.
Gate orders and the GRU's reset-after-matmul form follow torch's own cells (and cuDNN's).

Every step writes into buffers allocated once (`Trace`, `Grads`), so the timed calls allocate no
large memory; elementwise work runs in the operands' dtype, as torch runs it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from schemas import RnnCell


@dataclass(frozen=True)
class Operands:
    """The seeded inputs of a layer: recurrent weights u (gH x H), the projected inputs xw
    (T x N x gH), the initial state h0, c0 (N x H) and the output gradient dy (T x N x H)."""

    u: torch.Tensor
    xw: torch.Tensor
    h0: torch.Tensor
    c0: torch.Tensor
    dy: torch.Tensor


@dataclass(frozen=True)
class Trace:
    """What the forward pass keeps for the backward one (cuDNN's reserve space).

    h: states h_0..h_T (T+1 x N x H); c: LSTM cell states; act: gate activations (T x N x gH);
    rec: the GRU's recurrent product h·Uᵀ, needed because its reset gate multiplies it.
    """

    h: torch.Tensor
    c: torch.Tensor
    act: torch.Tensor
    rec: torch.Tensor


@dataclass(frozen=True)
class Grads:
    """What backward-data produces: dg, the gradient of each step's recurrent product h·Uᵀ
    (T x N x gH, the operand of backward-weights); dx_n, the GRU's candidate-gate input gradient,
    which differs from dg's (for the other cells dg is the input gradient itself); dh0."""

    dg: torch.Tensor
    dx_n: torch.Tensor
    dh0: torch.Tensor


def new_trace(cell: RnnCell, ops: Operands) -> Trace:
    """Empty forward buffers shaped for `ops`."""
    steps, batch, width = ops.xw.shape
    hidden = ops.h0.shape[1]
    h = ops.xw.new_empty(steps + 1, batch, hidden)
    h[0] = ops.h0
    c = ops.xw.new_empty(steps + 1 if cell is RnnCell.LSTM else 0, batch, hidden)
    if cell is RnnCell.LSTM:
        c[0] = ops.c0
    rec = ops.xw.new_empty(steps if cell is RnnCell.GRU else 0, batch, width)
    return Trace(h=h, c=c, act=ops.xw.new_empty(steps, batch, width), rec=rec)


def new_grads(cell: RnnCell, ops: Operands) -> Grads:
    """Empty backward-data buffers shaped for `ops`."""
    steps, batch, width = ops.xw.shape
    hidden = ops.h0.shape[1]
    return Grads(
        dg=ops.xw.new_empty(steps, batch, width),
        dx_n=ops.xw.new_empty(steps if cell is RnnCell.GRU else 0, batch, hidden),
        dh0=ops.xw.new_empty(batch, hidden),
    )


def forward(cell: RnnCell, ops: Operands, tr: Trace) -> torch.Tensor:
    """Runs the recurrence over all timesteps; returns the states h_1..h_T."""
    ut = ops.u.t()
    hidden = ops.h0.shape[1]
    for t in range(ops.xw.shape[0]):
        h, out = tr.h[t], tr.h[t + 1]
        if cell is RnnCell.VANILLA:
            torch.addmm(ops.xw[t], h, ut, out=out)
            out.relu_()
        elif cell is RnnCell.LSTM:
            a = torch.addmm(ops.xw[t], h, ut, out=tr.act[t])
            a[:, : 2 * hidden].sigmoid_()
            a[:, 2 * hidden : 3 * hidden].tanh_()
            a[:, 3 * hidden :].sigmoid_()
            i, f, g, o = a.chunk(4, dim=1)
            torch.mul(f, tr.c[t], out=tr.c[t + 1]).addcmul_(i, g)
            torch.mul(o, torch.tanh(tr.c[t + 1]), out=out)
        else:
            rec = torch.mm(h, ut, out=tr.rec[t])
            a = tr.act[t]
            rz = torch.add(ops.xw[t, :, : 2 * hidden], rec[:, : 2 * hidden], out=a[:, : 2 * hidden])
            r, z = rz.sigmoid_().chunk(2, dim=1)
            n = torch.mul(r, rec[:, 2 * hidden :], out=a[:, 2 * hidden :])
            n.add_(ops.xw[t, :, 2 * hidden :]).tanh_()
            torch.sub(h, n, out=out).mul_(z).add_(n)  # h' = n + z·(h - n)
    return tr.h[1:]


def _sigmoid_grad_(grad: torch.Tensor, s: torch.Tensor) -> None:
    """grad ← grad · s(1 - s), the derivative of the sigmoid whose output is s."""
    grad.mul_(s - s * s)


def backward_data(cell: RnnCell, ops: Operands, tr: Trace, gr: Grads) -> Grads:
    """Back-propagates dy through time; fills dg, dx_n and dh0 of `gr`."""
    hidden = ops.h0.shape[1]
    dc = torch.zeros_like(ops.h0) if cell is RnnCell.LSTM else None
    carry: torch.Tensor | None = None  # GRU: the part of dh_{t-1} that skips the matmul, dh·z
    for t in reversed(range(ops.xw.shape[0])):
        # dh_t = dy_t + dg_{t+1}·U (+ the GRU's direct path).
        dh = ops.dy[t] if t == ops.xw.shape[0] - 1 else torch.addmm(ops.dy[t], gr.dg[t + 1], ops.u)
        if carry is not None:
            dh = dh + carry
        dg = gr.dg[t]
        if cell is RnnCell.VANILLA:
            torch.mul(dh, tr.h[t + 1] > 0, out=dg)
        elif cell is RnnCell.LSTM:
            assert dc is not None
            i, f, g, o = tr.act[t].chunk(4, dim=1)
            di, df, dgg, do = dg.chunk(4, dim=1)
            tc = torch.tanh(tr.c[t + 1])
            dc.addcmul_(dh * o, 1 - tc * tc)
            torch.mul(dc, g, out=di)
            torch.mul(dc, tr.c[t], out=df)
            torch.mul(dc, i, out=dgg)
            torch.mul(dh, tc, out=do)
            _sigmoid_grad_(dg[:, : 2 * hidden], tr.act[t, :, : 2 * hidden])
            dgg.mul_(1 - g * g)
            _sigmoid_grad_(do, o)
            dc.mul_(f)
        else:
            r, z, n = tr.act[t].chunk(3, dim=1)
            dr, dz, dn = dg.chunk(3, dim=1)
            da_n = torch.mul(dh * (1 - z), 1 - n * n, out=gr.dx_n[t])
            torch.mul(da_n, r, out=dn)
            torch.mul(da_n, tr.rec[t, :, 2 * hidden :], out=dr)
            _sigmoid_grad_(dr, r)
            torch.mul(dh, tr.h[t] - n, out=dz)
            _sigmoid_grad_(dz, z)
            carry = dh * z
    torch.mm(gr.dg[0], ops.u, out=gr.dh0)
    if carry is not None:
        gr.dh0.add_(carry)
    return gr


def input_grad(cell: RnnCell, gr: Grads) -> torch.Tensor:
    """The gradient of the projected inputs xw (T x N x gH): dg, except the GRU's candidate gate."""
    if cell is not RnnCell.GRU:
        return gr.dg
    hidden = gr.dx_n.shape[2]
    return torch.cat((gr.dg[:, :, : 2 * hidden], gr.dx_n), dim=2)


def reference_forward(cell: RnnCell, ops: Operands) -> torch.Tensor:
    """The same recurrence written plainly, for float64 and autograd: states h_1..h_T."""
    h, c, outputs = ops.h0, ops.c0, []
    for t in range(ops.xw.shape[0]):
        rec = h @ ops.u.t()
        if cell is RnnCell.VANILLA:
            h = torch.relu(ops.xw[t] + rec)
        elif cell is RnnCell.LSTM:
            i, f, g, o = (ops.xw[t] + rec).chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        else:
            x_r, x_z, x_n = ops.xw[t].chunk(3, dim=1)
            rec_r, rec_z, rec_n = rec.chunk(3, dim=1)
            r, z = torch.sigmoid(x_r + rec_r), torch.sigmoid(x_z + rec_z)
            n = torch.tanh(x_n + r * rec_n)
            h = (1 - z) * n + z * h
        outputs.append(h)
    return torch.stack(outputs)

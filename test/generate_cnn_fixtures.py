#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for the managed CNN engine.

Run with the system interpreter (Debian's PyTorch 1.13 CPU build):

    /usr/bin/python3 test/generate_cnn_fixtures.py

Writes ``test/fixtures/cnn/<case>.bin`` plus ``test/fixtures/cnn/README.md``
(conventions, binary format, and the generated list of cases/tensors/shapes),
then re-reads every file and checks that all tensors round-trip bit-exactly.
The output is deterministic: rerunning produces byte-identical files.

Binary layout of every ``<case>.bin`` (all little endian):

    int32 tensorCount
    repeated tensorCount times:
        int32   nameLength            (bytes)
        byte[]  name                  (UTF-8, no terminator)
        int32   rank
        int32   dims[rank]
        float32 data[prod(dims)]      (row-major / C order)
"""

import hashlib
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "fixtures", "cnn")

BN_EPS = 1e-5
BN_MOMENTUM = 0.1

# ---------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------
torch.set_num_threads(1)  # fixed reduction order -> bit-identical reruns
torch.use_deterministic_algorithms(True)
torch.set_default_dtype(torch.float32)


def gen(seed):
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def randn(g, *shape, scale=1.0):
    return (torch.randn(*shape, generator=g, dtype=torch.float32) * scale).contiguous()


def rand_uniform(g, lo, hi, *shape):
    return (torch.rand(*shape, generator=g, dtype=torch.float32) * (hi - lo) + lo).contiguous()


# ---------------------------------------------------------------------------
# Binary writer / reader
# ---------------------------------------------------------------------------
def _as_f32(value):
    if isinstance(value, torch.Tensor):
        arr = value.detach().cpu().to(torch.float32).contiguous().numpy()
    else:
        arr = np.asarray(value, dtype=np.float32)
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if arr.ndim == 0:  # scalars are stored as rank-1 tensors of length 1
        arr = arr.reshape(1)
    return arr


def write_case(path, tensors):
    """tensors: list of (name, value) pairs; order is preserved in the file."""
    names = [n for n, _ in tensors]
    assert len(names) == len(set(names)), f"duplicate tensor names in {path}"
    parts = [struct.pack("<i", len(tensors))]
    for name, value in tensors:
        arr = _as_f32(value)
        nb = name.encode("utf-8")
        parts.append(struct.pack("<i", len(nb)))
        parts.append(nb)
        parts.append(struct.pack("<i", arr.ndim))
        parts.append(struct.pack("<%di" % arr.ndim, *arr.shape))
        parts.append(arr.astype("<f4").tobytes(order="C"))
    with open(path, "wb") as f:
        f.write(b"".join(parts))


def read_case(path):
    """Tiny reference reader: returns list of (name, np.ndarray float32)."""
    with open(path, "rb") as f:
        buf = f.read()
    pos = 0

    def take(fmt):
        nonlocal pos
        vals = struct.unpack_from(fmt, buf, pos)
        pos += struct.calcsize(fmt)
        return vals

    (count,) = take("<i")
    out = []
    for _ in range(count):
        (nlen,) = take("<i")
        name = buf[pos:pos + nlen].decode("utf-8")
        pos += nlen
        (rank,) = take("<i")
        dims = take("<%di" % rank)
        n = int(np.prod(dims)) if rank > 0 else 1
        data = np.frombuffer(buf, dtype="<f4", count=n, offset=pos).reshape(dims)
        pos += 4 * n
        out.append((name, data))
    assert pos == len(buf), f"{path}: trailing bytes ({len(buf) - pos})"
    return out


# ---------------------------------------------------------------------------
# Case registry
# ---------------------------------------------------------------------------
CASES = []  # (case_name, description, tensors)


def add_case(name, description, tensors):
    CASES.append((name, description, tensors))


def close(a, b, tol=1e-5):
    return torch.allclose(a, b, atol=tol, rtol=tol)


# ---------------------------------------------------------------------------
# Conv2D
# ---------------------------------------------------------------------------
def conv_case(name, seed, n, c_in, h, w, c_out, k, stride, padding, desc):
    g = gen(seed)
    x = randn(g, n, c_in, h, w).requires_grad_(True)
    bound = 1.0 / (c_in * k * k) ** 0.5
    weight = rand_uniform(g, -bound, bound, c_out, c_in, k, k).requires_grad_(True)
    bias = rand_uniform(g, -bound, bound, c_out).requires_grad_(True)
    y = F.conv2d(x, weight, bias, stride=stride, padding=padding)
    dy = randn(g, *y.shape)
    y.backward(dy)
    add_case(name, desc, [
        ("stride", float(stride)),
        ("padding", float(padding)),
        ("x", x), ("weight", weight), ("bias", bias),
        ("y", y), ("dy", dy),
        ("dx", x.grad), ("dweight", weight.grad), ("dbias", bias.grad),
    ])


def make_conv_cases():
    conv_case("conv2d_3x3_same", 101, 2, 3, 8, 8, 4, 3, 1, 1,
              "Conv2D 3x3, stride 1, padding 1 ('same'); x [2,3,8,8] -> y [2,4,8,8]")
    conv_case("conv2d_3x3_valid", 102, 2, 3, 6, 7, 4, 3, 1, 0,
              "Conv2D 3x3, stride 1, padding 0 ('valid'); non-square x [2,3,6,7] -> y [2,4,4,5]")
    conv_case("conv2d_5x5_same", 103, 2, 2, 8, 8, 3, 5, 1, 2,
              "Conv2D 5x5, stride 1, padding 2 ('same'); x [2,2,8,8] -> y [2,3,8,8]")
    conv_case("conv2d_3x3_stride2_valid", 104, 2, 3, 8, 7, 4, 3, 2, 0,
              "Conv2D 3x3, stride 2, padding 0; x [2,3,8,7] -> y [2,4,3,3] (last row/col of x unused by floor)")
    conv_case("conv2d_1x1", 105, 2, 3, 5, 6, 4, 1, 1, 0,
              "Conv2D 1x1, stride 1, padding 0; x [2,3,5,6] -> y [2,4,5,6]")


# ---------------------------------------------------------------------------
# MaxPool2D
# ---------------------------------------------------------------------------
def pool_case(name, seed, shape, k, s, p, desc):
    g = gen(seed)
    x = randn(g, *shape).requires_grad_(True)  # continuous values -> no ties
    y = F.max_pool2d(x, kernel_size=k, stride=s, padding=p)
    dy = randn(g, *y.shape)
    y.backward(dy)
    add_case(name, desc, [
        ("kernel", float(k)), ("stride", float(s)), ("padding", float(p)),
        ("x", x), ("y", y), ("dy", dy), ("dx", x.grad),
    ])


def make_pool_cases():
    pool_case("maxpool2d_k2s2", 201, (2, 3, 8, 8), 2, 2, 0,
              "MaxPool2D kernel 2 stride 2; x [2,3,8,8] -> y [2,3,4,4]")
    pool_case("maxpool2d_k2s2_odd", 202, (2, 2, 7, 5), 2, 2, 0,
              "MaxPool2D kernel 2 stride 2 on odd sizes (floor); x [2,2,7,5] -> y [2,2,3,2]")
    pool_case("maxpool2d_k3s2p1", 203, (2, 2, 8, 8), 3, 2, 1,
              "MaxPool2D kernel 3 stride 2 padding 1 (padding acts as -inf; overlapping windows "
              "accumulate gradient); x [2,2,8,8] -> y [2,2,4,4]")


# ---------------------------------------------------------------------------
# BatchNorm
# ---------------------------------------------------------------------------
def bn_case(name, seed, shape, desc):
    g = gen(seed)
    c = shape[1]
    bn = nn.BatchNorm2d(c, eps=BN_EPS, momentum=BN_MOMENTUM) if len(shape) == 4 \
        else nn.BatchNorm1d(c, eps=BN_EPS, momentum=BN_MOMENTUM)
    x0 = (randn(g, *shape) * 1.5 + 0.7).contiguous()
    gamma = rand_uniform(g, 0.5, 1.5, c)
    beta = randn(g, c, scale=0.5)
    rm0 = randn(g, c, scale=0.3)
    rv0 = rand_uniform(g, 0.5, 2.0, c)
    with torch.no_grad():
        bn.weight.copy_(gamma)
        bn.bias.copy_(beta)
        bn.running_mean.copy_(rm0)
        bn.running_var.copy_(rv0)

    # ---- train mode: batch statistics, running stats updated ----
    bn.train()
    x = x0.clone().requires_grad_(True)
    y_train = bn(x)
    dy = randn(g, *y_train.shape)
    y_train.backward(dy)
    dx_train = x.grad.clone()
    dgamma_train = bn.weight.grad.clone()
    dbeta_train = bn.bias.grad.clone()
    rm1 = bn.running_mean.detach().clone()
    rv1 = bn.running_var.detach().clone()

    dims = [0] + list(range(2, len(shape)))
    batch_mean = x0.mean(dim=dims)
    batch_var_b = x0.var(dim=dims, unbiased=False)
    batch_var_u = x0.var(dim=dims, unbiased=True)
    # sanity: PyTorch semantics documented in the README
    assert close(rm1, (1 - BN_MOMENTUM) * rm0 + BN_MOMENTUM * batch_mean)
    assert close(rv1, (1 - BN_MOMENTUM) * rv0 + BN_MOMENTUM * batch_var_u)
    bshape = [1, c] + [1] * (len(shape) - 2)
    y_manual = (x0 - batch_mean.view(bshape)) / torch.sqrt(batch_var_b.view(bshape) + BN_EPS) \
        * gamma.view(bshape) + beta.view(bshape)
    assert close(y_train.detach(), y_manual, 1e-4)

    # ---- eval mode: running stats (the updated ones), no update ----
    bn.eval()
    bn.weight.grad = None
    bn.bias.grad = None
    xe = x0.clone().requires_grad_(True)
    y_eval = bn(xe)
    y_eval.backward(dy)
    assert torch.equal(bn.running_mean, rm1) and torch.equal(bn.running_var, rv1)
    y_eval_manual = (x0 - rm1.view(bshape)) / torch.sqrt(rv1.view(bshape) + BN_EPS) \
        * gamma.view(bshape) + beta.view(bshape)
    assert close(y_eval.detach(), y_eval_manual, 1e-4)

    add_case(name, desc, [
        ("eps", BN_EPS), ("momentum", BN_MOMENTUM),
        ("x", x0), ("gamma", gamma), ("beta", beta),
        ("running_mean_before", rm0), ("running_var_before", rv0),
        ("y_train", y_train),
        ("batch_mean", batch_mean), ("batch_var_biased", batch_var_b),
        ("batch_var_unbiased", batch_var_u),
        ("running_mean_after", rm1), ("running_var_after", rv1),
        ("dy", dy),
        ("dx_train", dx_train), ("dgamma_train", dgamma_train), ("dbeta_train", dbeta_train),
        ("y_eval", y_eval),
        ("dx_eval", xe.grad), ("dgamma_eval", bn.weight.grad), ("dbeta_eval", bn.bias.grad),
    ])


def make_bn_cases():
    bn_case("batchnorm2d", 301, (4, 3, 5, 6),
            "BatchNorm2d(3), x [4,3,5,6]; train forward/backward (batch stats, running stats updated), "
            "then eval forward/backward using running_*_after")
    bn_case("batchnorm1d", 302, (6, 5),
            "BatchNorm1d(5), x [6,5]; train forward/backward (batch stats, running stats updated), "
            "then eval forward/backward using running_*_after")


# ---------------------------------------------------------------------------
# Dropout
# ---------------------------------------------------------------------------
def dropout_case(name, seed, shape, p, desc):
    g = gen(seed)
    x0 = randn(g, *shape)
    mask = torch.bernoulli(torch.full(shape, 1.0 - p), generator=g)  # 1 = keep, 0 = drop
    dy = randn(g, *shape)

    # train: inverted dropout with the explicit mask (== what nn.Dropout does internally)
    x = x0.clone().requires_grad_(True)
    y_train = x * mask / (1.0 - p)
    y_train.backward(dy)
    dx_train = x.grad.clone()

    # eval: identity (checked against nn.Dropout)
    drop = nn.Dropout(p)
    drop.eval()
    xe = x0.clone().requires_grad_(True)
    y_eval = drop(xe)
    y_eval.backward(dy)
    assert torch.equal(y_eval.detach(), x0) and torch.equal(xe.grad, dy)

    # sanity: nn.Dropout in train mode produces exactly x*m/(1-p) with some mask m
    drop.train()
    torch.manual_seed(seed)
    yt = drop(x0)
    m = (yt != 0).to(torch.float32)
    assert close(yt, x0 * m / (1.0 - p), 1e-6)

    add_case(name, desc, [
        ("p", p), ("x", x0), ("mask", mask),
        ("y_train", y_train), ("dy", dy), ("dx_train", dx_train),
        ("y_eval", y_eval), ("dx_eval", xe.grad),
    ])


def make_dropout_cases():
    dropout_case("dropout_p50", 401, (2, 3, 4, 4), 0.5,
                 "Dropout p=0.5 on [2,3,4,4]; train: y = x*mask/(1-p) with the saved mask; eval: identity")
    dropout_case("dropout_p25", 402, (4, 10), 0.25,
                 "Dropout p=0.25 on a dense activation [4,10]; train: y = x*mask/(1-p); eval: identity")


# ---------------------------------------------------------------------------
# Dense, Flatten, ReLU
# ---------------------------------------------------------------------------
def make_dense_case():
    g = gen(501)
    n, fin, fout = 4, 7, 5
    x = randn(g, n, fin).requires_grad_(True)
    bound = 1.0 / fin ** 0.5
    weight = rand_uniform(g, -bound, bound, fout, fin).requires_grad_(True)
    bias = rand_uniform(g, -bound, bound, fout).requires_grad_(True)
    y = F.linear(x, weight, bias)
    dy = randn(g, *y.shape)
    y.backward(dy)
    add_case("dense", "Dense (nn.Linear 7->5), x [4,7], y = x W^T + b", [
        ("x", x), ("weight", weight), ("bias", bias),
        ("y", y), ("dy", dy), ("dx", x.grad), ("dweight", weight.grad), ("dbias", bias.grad),
    ])


def make_flatten_case():
    g = gen(601)
    x = randn(g, 2, 3, 4, 5).requires_grad_(True)
    y = torch.flatten(x, 1)
    dy = randn(g, *y.shape)
    y.backward(dy)
    add_case("flatten", "Flatten NCHW [2,3,4,5] -> [2,60] (index = c*H*W + h*W + w)", [
        ("x", x), ("y", y), ("dy", dy), ("dx", x.grad),
    ])


def make_relu_case():
    g = gen(701)
    x0 = randn(g, 2, 3, 4, 5)
    # keep values away from 0 so the derivative at 0 never matters
    x0 = torch.where(x0.abs() < 1e-3, torch.full_like(x0, 0.5), x0)
    x = x0.clone().requires_grad_(True)
    y = F.relu(x)
    dy = randn(g, *y.shape)
    y.backward(dy)
    add_case("relu", "ReLU on [2,3,4,5] (no exact zeros in x)", [
        ("x", x0), ("y", y), ("dy", dy), ("dx", x.grad),
    ])


# ---------------------------------------------------------------------------
# Softmax cross-entropy
# ---------------------------------------------------------------------------
def ce_case(name, seed, n, classes, scale, desc):
    g = gen(seed)
    logits = randn(g, n, classes, scale=scale).requires_grad_(True)
    labels = torch.randint(0, classes, (n,), generator=g)
    loss = F.cross_entropy(logits, labels, reduction="mean")
    loss.backward()
    probs = torch.softmax(logits.detach(), dim=1)
    onehot = F.one_hot(labels, classes).to(torch.float32)
    assert close(logits.grad, (probs - onehot) / n, 1e-6)
    add_case(name, desc, [
        ("logits", logits), ("labels", labels.to(torch.float32)),
        ("loss", loss), ("probs", probs), ("dlogits", logits.grad),
    ])


def make_ce_cases():
    ce_case("softmax_ce", 801, 5, 10, 2.0,
            "Softmax cross-entropy, mean over batch; logits [5,10], labels [5]")
    ce_case("softmax_ce_large_logits", 802, 4, 10, 60.0,
            "Softmax cross-entropy with large-magnitude logits (needs max-subtraction / log-sum-exp); "
            "logits [4,10], labels [4]")


# ---------------------------------------------------------------------------
# Adam
# ---------------------------------------------------------------------------
def adam_case(name, seed, wd, desc):
    g = gen(seed)
    lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-8
    p0 = randn(g, 3, 4)
    grads = [randn(g, 3, 4, scale=s) for s in (1.0, 0.1, 3.0)]
    # make a couple of gradient entries zero / tiny to exercise the eps path
    grads[1][0, 0] = 0.0
    grads[2][1, 1] = 1e-9
    param = nn.Parameter(p0.clone())
    opt = torch.optim.Adam([param], lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd,
                           amsgrad=False, foreach=False)
    tensors = [("lr", lr), ("beta1", b1), ("beta2", b2), ("eps", eps), ("weight_decay", wd),
               ("param0", p0)]
    # independent re-implementation (float64) as a sanity check
    m = torch.zeros(3, 4, dtype=torch.float64)
    v = torch.zeros(3, 4, dtype=torch.float64)
    pr = p0.to(torch.float64)
    for t, gr in enumerate(grads, start=1):
        param.grad = gr.clone()
        opt.step()
        tensors.append((f"grad{t}", gr))
        tensors.append((f"param{t}", param.detach().clone()))
        gg = gr.to(torch.float64) + wd * pr
        m = b1 * m + (1 - b1) * gg
        v = b2 * v + (1 - b2) * gg * gg
        mhat = m / (1 - b1 ** t)
        vhat = v / (1 - b2 ** t)
        pr = pr - lr * mhat / (vhat.sqrt() + eps)
        assert torch.allclose(param.detach().to(torch.float64), pr, atol=1e-6, rtol=0), name
    st = opt.state[param]
    tensors.append(("exp_avg3", st["exp_avg"]))
    tensors.append(("exp_avg_sq3", st["exp_avg_sq"]))
    add_case(name, desc, tensors)


def make_adam_cases():
    adam_case("adam", 901, 0.0,
              "Adam lr=1e-3 betas=(0.9,0.999) eps=1e-8 wd=0; param [3,4], three steps with grad1..3")
    adam_case("adam_wd", 902, 1e-4,
              "Adam lr=1e-3 betas=(0.9,0.999) eps=1e-8 weight_decay=1e-4 (L2: grad += wd*param before "
              "the moments); param [3,4], three steps")


# ---------------------------------------------------------------------------
# Whole network, one training step
# ---------------------------------------------------------------------------
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4, eps=BN_EPS, momentum=BN_MOMENTUM)
        self.conv2 = nn.Conv2d(4, 8, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(8, eps=BN_EPS, momentum=BN_MOMENTUM)
        self.fc1 = nn.Linear(392, 16)
        self.bn3 = nn.BatchNorm1d(16, eps=BN_EPS, momentum=BN_MOMENTUM)
        self.fc2 = nn.Linear(16, 10)

    def forward(self, x, acts=None):
        def rec(key, t):
            if acts is not None:
                acts.append((key, t))
            return t
        h = rec("act.conv1", self.conv1(x))
        h = rec("act.bn1", self.bn1(h))
        h = rec("act.relu1", F.relu(h))
        h = rec("act.pool1", F.max_pool2d(h, 2, 2))
        h = rec("act.conv2", self.conv2(h))
        h = rec("act.bn2", self.bn2(h))
        h = rec("act.relu2", F.relu(h))
        h = rec("act.pool2", F.max_pool2d(h, 2, 2))
        h = rec("act.flatten", torch.flatten(h, 1))
        h = rec("act.fc1", self.fc1(h))
        h = rec("act.bn3", self.bn3(h))
        h = rec("act.relu3", F.relu(h))
        return self.fc2(h)


NET_PARAMS = ["conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias",
              "conv2.weight", "conv2.bias", "bn2.weight", "bn2.bias",
              "fc1.weight", "fc1.bias", "bn3.weight", "bn3.bias",
              "fc2.weight", "fc2.bias"]
NET_BUFFERS = ["bn1.running_mean", "bn1.running_var",
               "bn2.running_mean", "bn2.running_var",
               "bn3.running_mean", "bn3.running_var"]


def make_network_case():
    torch.manual_seed(1001)  # PyTorch default initialisation of the modules
    net = Net()
    params = dict(net.named_parameters())
    buffers = {k: v for k, v in net.named_buffers() if not k.endswith("num_batches_tracked")}
    assert list(params) == NET_PARAMS, list(params)
    assert list(buffers) == NET_BUFFERS, list(buffers)

    g = gen(1002)
    x = randn(g, 4, 1, 28, 28)
    labels = torch.randint(0, 10, (4,), generator=g)

    tensors = [("lr", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("eps", 1e-8), ("weight_decay", 0.0),
               ("bn_eps", BN_EPS), ("bn_momentum", BN_MOMENTUM),
               ("x", x), ("labels", labels.to(torch.float32))]
    for k in NET_PARAMS:
        tensors.append(("init." + k, params[k].detach().clone()))
    for k in NET_BUFFERS:
        tensors.append(("init." + k, buffers[k].detach().clone()))

    opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                           weight_decay=0.0, amsgrad=False, foreach=False)
    net.train()
    opt.zero_grad()
    acts = []
    logits = net(x, acts)
    logits.retain_grad()
    loss = F.cross_entropy(logits, labels, reduction="mean")
    loss.backward()
    tensors += [("logits", logits), ("loss", loss), ("dlogits", logits.grad)]
    for k in NET_PARAMS:
        tensors.append(("grad." + k, params[k].grad.clone()))
    opt.step()
    for k in NET_PARAMS:
        tensors.append(("after." + k, params[k].detach().clone()))
    for k in NET_BUFFERS:
        tensors.append(("after." + k, buffers[k].detach().clone()))

    net.eval()
    with torch.no_grad():
        eval_logits = net(x)
    tensors.append(("eval_logits", eval_logits))
    tensors += [(k, t.detach()) for k, t in acts]  # train-mode activations (debug aid)
    add_case("network_step", (
        "Whole network, one Adam step (lr 1e-3) on x [4,1,28,28]: Conv(1,4,3,p1)-BN2d(4)-ReLU-MaxPool2"
        "-Conv(4,8,3,p1)-BN2d(8)-ReLU-MaxPool2-Flatten-Linear(392,16)-BN1d(16)-ReLU-Linear(16,10); "
        "CrossEntropyLoss(mean). eval_logits = eval-mode forward of the same x after the step."), tensors)


# ---------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------
README_HEAD = """\
# CNN reference fixtures (PyTorch)

Generated by `test/generate_cnn_fixtures.py` — do not edit by hand. Regenerate with

```
/usr/bin/python3 test/generate_cnn_fixtures.py
```

(Debian's system Python with PyTorch {torch_version} CPU; float32 everywhere, single thread,
`torch.use_deterministic_algorithms(True)`, fixed per-case seeds). Rerunning produces
byte-identical files; the script ends with a self-check that re-reads every file.

## File format (`<case>.bin`, little endian)

```
int32   tensorCount
repeat tensorCount times:
    int32   nameLength                  number of bytes in name
    byte    name[nameLength]            UTF-8 (ASCII in practice), no terminator
    int32   rank
    int32   dims[rank]
    float32 data[dims[0]*...*dims[rank-1]]   row-major (C order, last index fastest)
```

* Tensors appear in the order listed below; look them up by name.
* Scalars (loss, hyper-parameters such as `stride`, `lr`, `eps`) are rank-1 tensors of shape `[1]`.
* Integer values (class labels, kernel/stride/padding) are stored as float32 (exact small integers).
* Hyper-parameters stored as float32 (e.g. `eps` = 1e-8 → nearest float32); use the documented
  decimal value in C# rather than the stored one if exactness matters.

## Conventions

* Activation tensors are **NCHW**, row-major. Dense activations are `[N, features]`.
* Conv2D weight `[outC, inC, kH, kW]`, bias `[outC]`; cross-correlation (no kernel flip), zero padding
  on all sides, output size `floor((H + 2p - k)/s) + 1`.
* Dense weight `[out, in]` (as `nn.Linear`), `y = x · Wᵀ + b`.
* Flatten: `[N,C,H,W] → [N, C*H*W]`, flat index `c*H*W + h*W + w` (plain reshape of NCHW).
* MaxPool2d: kernel 2 stride 2 (floor for odd sizes); one case kernel 3 stride 2 padding 1 where padding
  behaves as −∞. Gradient goes to the arg-max of each window (inputs are continuous random values, so no
  ties); overlapping windows accumulate. In the network case the pools follow ReLU, so windows of all
  zeros occur: PyTorch routes the gradient to the first maximum in row-major window order, but any
  choice gives the same parameter gradients because ReLU'(0) = 0 there.
* ReLU: `max(0,x)`; inputs contain no exact zeros.
* BatchNorm2d (per channel over N,H,W) and BatchNorm1d (per feature over N), `eps = 1e-5`,
  `momentum = 0.1`, PyTorch semantics:
  * train: normalise with batch mean and **biased** batch variance (÷ M, M = elements per channel);
    `running_mean = 0.9*running_mean + 0.1*batch_mean`,
    `running_var  = 0.9*running_var  + 0.1*batch_var_unbiased` (÷ (M−1)).
  * eval: normalise with running stats; no update. `y_eval`/`dx_eval` use `running_*_after`.
  * `gamma`/`beta` = PyTorch `weight`/`bias`. Default init (network case) gamma=1, beta=0, running
    mean 0, running var 1.
* Dropout (inverted): train `y = x * mask / (1-p)`, `dx = dy * mask / (1-p)` with `mask` (1 keep, 0 drop)
  saved in the file (PyTorch's mask is random, so the fixture generates it with `torch.bernoulli(1-p)`);
  eval is the identity.
* Softmax cross-entropy: `loss = mean_n( logsumexp(z_n) - z_n[label_n] )`,
  `dlogits = (softmax(z) - onehot(label)) / N`.
* Adam (PyTorch 1.13, `amsgrad=False`), step `t` starting at 1:
  ```
  g  = grad + weight_decay * param          # L2 style (not AdamW)
  m  = beta1*m + (1-beta1)*g
  v  = beta2*v + (1-beta2)*g*g
  param -= lr/(1-beta1^t) * m / ( sqrt(v)/sqrt(1-beta2^t) + eps )
  ```
  (mathematically equal to `lr * mhat / (sqrt(vhat) + eps)`). lr 1e-3, betas (0.9, 0.999), eps 1e-8.
* Gradients: `dy` is a random upstream gradient; `dx`/`dweight`/… are autograd results for
  `y.backward(dy)`. For the loss cases the upstream gradient is 1.

Suggested tolerances for a float32 managed engine: ~1e-5 absolute/relative for single layers;
~1e-4 for the whole-network case (conv/BN reduction order differs).

## Cases
"""


def fmt_shape(arr):
    return "[" + ",".join(str(d) for d in arr.shape) + "]"


def write_readme(files):
    lines = [README_HEAD.format(torch_version=torch.__version__.split("+")[0])]
    total = 0
    for (name, desc, _), (path, size) in zip(CASES, files):
        total += size
        lines.append(f"### `{name}.bin` ({size:,} bytes)\n")
        lines.append(desc + "\n")
        entries = read_case(path)
        lines.append("| tensor | shape |")
        lines.append("|---|---|")
        for tname, arr in entries:
            if arr.size == 1 and arr.ndim == 1:
                lines.append(f"| `{tname}` | [1] = {float(arr[0]):.6g} |")
            else:
                lines.append(f"| `{tname}` | {fmt_shape(arr)} |")
        lines.append("")
    lines.insert(1, "")
    lines.append(f"Total size of all `.bin` files: {total:,} bytes.\n")
    lines.append("Network case naming: `init.<p>` initial parameters/buffers, `grad.<p>` parameter gradients of "
                 "the mean loss, `after.<p>` parameters after one Adam step and BN running stats after the "
                 "(single) training forward, `act.<layer>` train-mode activations of the forward pass "
                 "(debug aid), `dlogits` = d loss / d logits.\n")
    with open(os.path.join(OUT_DIR, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines))
    return total


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    make_conv_cases()
    make_pool_cases()
    make_bn_cases()
    make_dropout_cases()
    make_dense_case()
    make_flatten_case()
    make_relu_case()
    make_ce_cases()
    make_adam_cases()
    make_network_case()

    files = []
    for name, _, tensors in CASES:
        path = os.path.join(OUT_DIR, name + ".bin")
        write_case(path, tensors)
        files.append((path, os.path.getsize(path)))

    # ---- self-check: re-read every file, compare bit-exactly ----
    for (name, _, tensors), (path, _) in zip(CASES, files):
        back = read_case(path)
        assert [n for n, _ in back] == [n for n, _ in tensors], name
        for (tname, orig), (_, arr) in zip(tensors, back):
            ref = _as_f32(orig)
            assert arr.dtype == np.dtype("<f4") and arr.shape == ref.shape, (name, tname)
            assert np.array_equal(arr.view(np.uint32), ref.view(np.uint32)), (name, tname)
            assert np.all(np.isfinite(arr)), (name, tname)

    total = write_readme(files)
    for path, size in files:
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()[:16]
        print(f"{os.path.relpath(path, HERE):45s} {size:9,d}  {digest}")
    print(f"{len(files)} cases, {total:,} bytes total; self-check OK")
    assert total < 3 * 1024 * 1024


if __name__ == "__main__":
    sys.exit(main())

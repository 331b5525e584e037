# PyTorch peer for `mlnetmlp bench cnn --compare-torch`: the same network as the C# side, built from
# CnnTrainer's layer text (e.g. CnnTrainer.DefaultLayers), trained with Adam (lr 1e-3), batch 128, fp32.
# One epoch = shuffle + forward + backward + update over the rows, no evaluation. Warm-up: 20 batches.
# Data: the Fashion-MNIST training images (FASHION_MNIST_DIR or the Debian package's folder), else random.
# Usage: python3 torch_cnn_epoch.py [threads] [epochs] [rows] [batch] [layers]. Prints one JSON line last.
import gzip, json, os, re, sys, time
import numpy as np
import torch, torch.nn as nn
from blas_threads import blas_threads

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 60000
bs = int(sys.argv[4]) if len(sys.argv) > 4 else 128
layers = sys.argv[5] if len(sys.argv) > 5 else "conv32,bn,relu,pool,drop0.25,conv64,bn,relu,conv64,bn,relu,pool,drop0.25,flatten,dense512,bn,relu,drop0.5"
torch.set_num_threads(threads)
torch.manual_seed(0)

folder = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
try:
    with gzip.open(os.path.join(folder, "train-images-idx3-ubyte.gz")) as f:
        X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[:rows].astype(np.float32) / 255
    with gzip.open(os.path.join(folder, "train-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)[:rows].astype(np.int64)
    X, y, source = torch.from_numpy(X), torch.from_numpy(y), "fashion-mnist"
except OSError:
    X, y, source = torch.rand(rows, 1, 28, 28), torch.randint(0, 10, (rows,)), "synthetic"

def build(text, channels=1, size=28, classes=10):
    """The layer text of CnnLayerSpec (conv32k3s1same, pool2, bn, relu, drop0.25, flatten, dense512) as nn.Sequential."""
    modules, flat, features = [], False, None
    for token in [t.strip().lower() for t in text.split(",") if t.strip()]:
        conv = re.fullmatch(r"conv(\d+)(?:k(\d+))?(?:s(\d+))?(same|valid|p\d+)?", token)
        pool = re.fullmatch(r"(?:max)?pool(\d+)?(?:s(\d+))?(?:p(\d+))?", token)
        if conv:
            filters, k, st = int(conv[1]), int(conv[2] or 3), int(conv[3] or 1)
            pad = (k - 1) // 2 if conv[4] in (None, "same") else 0 if conv[4] == "valid" else int(conv[4][1:])
            modules.append(nn.Conv2d(channels, filters, k, stride=st, padding=pad))
            channels, size = filters, (size + 2 * pad - k) // st + 1
        elif pool:
            k = int(pool[1] or 2); st = int(pool[2] or k); pad = int(pool[3] or 0)
            modules.append(nn.MaxPool2d(k, stride=st, padding=pad)); size = (size + 2 * pad - k) // st + 1
        elif token == "bn":
            modules.append(nn.BatchNorm1d(features) if flat else nn.BatchNorm2d(channels))
        elif token == "relu":
            modules.append(nn.ReLU())
        elif token.startswith("drop"):
            modules.append(nn.Dropout(float(token[4:])))
        elif token == "flatten":
            modules.append(nn.Flatten()); flat, features = True, channels * size * size
        elif token.startswith("dense"):
            if not flat:
                modules.append(nn.Flatten()); flat, features = True, channels * size * size
            width = int(token[5:]); modules.append(nn.Linear(features, width)); features = width
        else:
            raise SystemExit(f"unknown layer token {token!r}")
    if not flat:
        modules.append(nn.Flatten()); features = channels * size * size
    modules.append(nn.Linear(features, classes))
    return nn.Sequential(*modules)

model = build(layers)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
lossf = nn.CrossEntropyLoss()
n = len(y)

def run(batches=None):
    model.train()
    perm = torch.randperm(n)
    for b, i in enumerate(range(0, n, bs)):
        if batches is not None and b >= batches: break
        idx = perm[i:i + bs]
        opt.zero_grad()
        lossf(model(X[idx]), y[idx]).backward()
        opt.step()

run(batches=20)  # warm-up
times = []
for _ in range(epochs):
    t = time.perf_counter()
    run()
    times.append(time.perf_counter() - t)
    print(f"torch epoch {len(times)}/{epochs}: {times[-1]:.2f} s", file=sys.stderr, flush=True)
times.sort()
print(json.dumps({"peer": "torch", "version": torch.__version__, "threads": threads, "blas_threads": blas_threads(), "rows": n, "batch_size": bs, "data": source,
                  "layers": layers, "parameters": sum(p.numel() for p in model.parameters()),
                  "epoch_seconds_median": times[len(times) // 2], "epoch_seconds_min": times[0], "epoch_seconds_max": times[-1]}))

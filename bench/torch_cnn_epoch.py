# PyTorch peer for `mlnetmlp bench cnn --compare-torch`: the default CnnTrainer architecture
# (CnnTrainer.DefaultLayers, the style of the report's CNN) trained with Adam (lr 1e-3), batch 128, fp32.
# One epoch = shuffle + forward + backward + update over the rows, no evaluation. Warm-up: 20 batches.
# Data: the Fashion-MNIST training images (FASHION_MNIST_DIR or the Debian package's folder), else random.
# Usage: python3 torch_cnn_epoch.py [threads] [epochs] [rows] [batch]. Prints one JSON line last.
import gzip, json, os, sys, time
import numpy as np
import torch, torch.nn as nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 60000
bs = int(sys.argv[4]) if len(sys.argv) > 4 else 128
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

def block(i, o): return [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU()]
model = nn.Sequential(*block(1, 32), *block(32, 32), nn.MaxPool2d(2), nn.Dropout(0.25),
                      *block(32, 64), *block(64, 64), nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
                      nn.Linear(3136, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Dropout(0.5), nn.Linear(512, 10))
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
print(json.dumps({"peer": "torch", "version": torch.__version__, "threads": threads, "rows": n, "batch_size": bs, "data": source,
                  "epoch_seconds_median": times[len(times) // 2], "epoch_seconds_min": times[0], "epoch_seconds_max": times[-1]}))

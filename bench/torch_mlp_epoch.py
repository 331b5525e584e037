# PyTorch peer for `mlnetmlp bench mlp --compare-torch`: the reference workload of issue 3,
# 60,000 x 784 -> 128 -> 128 -> 10 LeakyReLU, batch 200, fp32, SGD (lr 0.1, momentum 0 / 0.9, or Adam),
# one epoch = shuffle + forward + backward + update, no evaluation. Prints one JSON line.
# Usage: python3 torch_mlp_epoch.py [threads] [epochs] [optimizer]
import json, sys, time
import torch
from blas_threads import blas_threads

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
optimizer = sys.argv[3] if len(sys.argv) > 3 else "sgd"
torch.set_num_threads(threads)
torch.manual_seed(0)
n, d, bs = 60000, 784, 200
X = torch.rand(n, d)
y = torch.randint(0, 10, (n,))
model = torch.nn.Sequential(torch.nn.Linear(d, 128), torch.nn.LeakyReLU(0.01),
                            torch.nn.Linear(128, 128), torch.nn.LeakyReLU(0.01),
                            torch.nn.Linear(128, 10))
if optimizer == "adam":
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
elif optimizer == "momentum":
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
else:
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
lossf = torch.nn.CrossEntropyLoss()

def epoch():
    perm = torch.randperm(n)
    for i in range(0, n, bs):
        idx = perm[i:i + bs]
        opt.zero_grad()
        lossf(model(X[idx]), y[idx]).backward()
        opt.step()

epoch()  # warm-up
times = []
for _ in range(epochs):
    t = time.perf_counter()
    epoch()
    times.append(time.perf_counter() - t)
times.sort()
print(json.dumps({"peer": "torch", "version": torch.__version__, "threads": threads, "blas_threads": blas_threads(), "optimizer": optimizer,
                  "epoch_seconds_median": times[len(times) // 2], "epoch_seconds_min": times[0], "epoch_seconds_max": times[-1]}))

# PyTorch peer for `mlnetmlp bench score --compare-torch`: 784-128-128-10 LeakyReLU + softmax inference,
# batch throughput on 10,000 rows and single-row latency. Prints one JSON line.
# Usage: python3 torch_mlp_score.py [threads]
import json, sys, time
import torch
from blas_threads import blas_threads

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
torch.set_num_threads(threads)
torch.manual_seed(0)
m = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.LeakyReLU(0.01), torch.nn.Linear(128, 128),
                        torch.nn.LeakyReLU(0.01), torch.nn.Linear(128, 10), torch.nn.Softmax(1)).eval()
X = torch.rand(10000, 784)
times = []
with torch.no_grad():
    for _ in range(20):
        t = time.perf_counter(); p = m(X); p.argmax(1); times.append(time.perf_counter() - t)
    one = X[:1]
    for _ in range(200): m(one)
    singles = []
    for _ in range(2000):
        t = time.perf_counter(); m(one); singles.append(time.perf_counter() - t)
singles.sort()
print(json.dumps({"peer": "torch", "version": torch.__version__, "threads": threads, "blas_threads": blas_threads(),
                  "batch_rows_per_second": 10000 / min(times), "single_prediction_us": singles[len(singles) // 2] * 1e6}))

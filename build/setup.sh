#!/usr/bin/env bash
# Installs what MlNetMlp's README commands need on a Debian/Ubuntu machine that has the .NET 10 SDK:
# the official Fashion-MNIST files (Debian package dataset-fashion-mnist), the ONNX checker (python3-onnx) and the
# repo's dotnet tools.
# Safe to rerun; it only installs what is missing. Without apt (or root), the trainer still finds the
# data through --data, FASHION_MNIST_DIR or data/fashion-mnist/, or downloads it (checksummed).
set -uo pipefail
cd "$(dirname "$0")/.."

if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo -n"; fi
  echo "setup: installing dataset-fashion-mnist (official Fashion-MNIST IDX files)" >&2
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq dataset-fashion-mnist; } >/dev/null 2>&1 \
    || echo "setup: could not install dataset-fashion-mnist; the data will be looked for elsewhere or downloaded" >&2
fi

# The ONNX checker the export tests run on exported models (they are inconclusive without it).
if ! /usr/bin/python3 -c "import onnx" >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo -n"; fi
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-onnx; } >/dev/null 2>&1 \
    || echo "setup: could not install python3-onnx; the ONNX checker test will be inconclusive" >&2
fi

if [ -f .config/dotnet-tools.json ]; then
  dotnet tool restore >/dev/null || echo "setup: dotnet tool restore failed" >&2
fi
exit 0

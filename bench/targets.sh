#!/usr/bin/env bash
# Every speed target of issue 12 in one sequence, with the baselines in the same runs (about 35 minutes
# on 2 cores). Run it on a quiet machine after bench/build.sh; it writes bench/results/targets-*.
#   targets-l2           L2 (1 MiB) and beyond-L2 (16 MiB) sizes, one thread: one-pass moments with the
#                        read baseline and the power-sum ceilings, deterministic and stochastic fake-quant
#                        (Philox and the hash) with copy, STE and learnable backward, the C baseline and
#                        Commons Math
#   targets-dram         1 GiB: moments, fake-quant (deterministic, hash), learnable backward
#   targets-calibration  16 MiB: MSE and LP_NORM calibration and the sweep, 1 and 2 threads
#   targets-segments     native F32/BF16/F16 tensor views against float[] (fake-quant, moments)
#   torch-cpu            PyTorch (Debian's python3-torch) on the same sizes, one thread
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
./run.sh targets-l2 -f 3 -wi 3 -i 3 -w 1s -r 1s -p size=262144,4194304 -p backend=panama \
  'BaselineBench.(read|copy)$|MomentsBench.(kure|commonsMath|cBaseline)|CeilingBench|FakeQuantBench.(perTensor|stochastic|stochasticHash|cBaseline)|BackwardBench'
./run.sh targets-dram -f 2 -wi 2 -i 3 -w 2s -r 2s -p size=268435456 -p backend=panama \
  'BaselineBench.(read|copy)$|MomentsBench.kure|FakeQuantBench.(perTensor|stochasticHash)$|BackwardBench.learnable'
./run.sh targets-calibration -f 2 -wi 2 -i 3 -w 2s -r 2s -p size=16777216 -p threads=1,2 \
  'BaselineBench.copy$|CalibrationBench.(sweep|mseCalibration|lpNormCalibration)'
./run.sh targets-segments -f 2 -wi 3 -i 3 -w 1s -r 1s -p size=262144,4194304 'BaselineBench.(read|copy)$|SegmentBench'
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  /usr/bin/python3 "$here/torch_cpu.py" "$here/results/torch-cpu"
else
  echo "no python3-torch: PyTorch peer skipped (apt-get install python3-torch)" >&2
fi
